using System.Globalization;
using Ariadne.Model;

namespace Ariadne.Cli.LoadGen;

/// <summary>The shape of generated traces: spans per trace, depth of the span tree, attributes per span, distinct values per attribute, longest string value, events per span.</summary>
internal sealed record TraceShape(int SpansPerTrace = 8, int Depth = 2, int Attributes = 10, int Cardinality = 100, int ValueLength = 32, int Events = 0);

/// <summary>
/// The span profiles the load generator and the benchmarks share: <c>realistic</c> (see
/// <see cref="RealisticSpans"/>), <c>small</c> (4-span traces, 3 attributes per span), <c>wide</c>
/// (8-span traces, 60 attributes per span, values up to 200 bytes) and <c>custom</c> (a <see cref="TraceShape"/>).
/// </summary>
internal static class SpanProfiles
{
    public static readonly string[] Names = ["realistic", "small", "wide", "custom"];

    public static SpanBatch Create(string profile, int spanCount, int seed, TraceShape? shape = null) => profile switch
    {
        "realistic" => RealisticSpans.Create(spanCount, seed),
        "small" => Shaped(spanCount, seed, new TraceShape(SpansPerTrace: 4, Attributes: 3, ValueLength: 12)),
        "wide" => Shaped(spanCount, seed, new TraceShape(SpansPerTrace: 8, Attributes: 60, ValueLength: 200)),
        "custom" => Shaped(spanCount, seed, shape ?? new TraceShape()),
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, $"expected one of {string.Join(", ", Names)}"),
    };

    private static SpanBatch Shaped(int spanCount, int seed, TraceShape shape)
    {
        var (spansPerTrace, attributes, valueLength) = (shape.SpansPerTrace, shape.Attributes, shape.ValueLength);
        var random = new Random(seed);
        var batch = new SpanBatch();
        var resourceAttrs = batch.Attributes.Add(new KeyValue(batch.AddString("service.name"), AnyValue.FromString(batch.AddString("loadgen"))));
        var resource = batch.Resources.Add(new ResourceRow { Attributes = new RowRange(resourceAttrs, 1) });
        var scope = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = batch.AddString("ariadne.loadgen") });
        var start = (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        var traceId = default(TraceId);
        var root = default(SpanId);
        var chain = new SpanId[Math.Max(1, Math.Min(shape.Depth, spansPerTrace))];
        for (var i = 0; i < spanCount; i++)
        {
            if (i % spansPerTrace == 0)
            {
                traceId = new TraceId((ulong)random.NextInt64(), (ulong)random.NextInt64());
                root = new SpanId((ulong)random.NextInt64() | 1);
                chain[0] = root;
            }

            var attrs = batch.Attributes.Reserve(attributes);
            for (var a = 0; a < attributes; a++)
            {
                // Cardinality: how many distinct values each attribute takes across the run.
                var distinct = random.Next(shape.Cardinality);
                var value = distinct.ToString("x", CultureInfo.InvariantCulture).PadRight(1 + (distinct % valueLength), (char)('a' + (distinct % 26)));
                batch.Attributes[attrs + a] = a % 3 == 0
                    ? new KeyValue(batch.AddString("load.n" + a.ToString(CultureInfo.InvariantCulture)), AnyValue.FromInt(distinct))
                    : new KeyValue(batch.AddString("load.s" + a.ToString(CultureInfo.InvariantCulture)), AnyValue.FromString(batch.AddString(value)));
            }

            var first = i % spansPerTrace == 0;
            var spanId = first ? root : new SpanId((ulong)random.NextInt64() | 1);

            // Depth: each span's parent is the span Depth−1 levels up the chain, so traces are that deep.
            var position = i % spansPerTrace;
            var parent = first ? default : chain[Math.Max(0, Math.Min(position - 1, shape.Depth - 2))];
            chain[Math.Min(position, chain.Length - 1)] = spanId;
            var events = default(RowRange);
            for (var e = 0; e < shape.Events; e++)
            {
                var index = batch.Events.Add(new EventRow { TimeUnixNano = start + (ulong)e, Name = batch.AddString("event " + e.ToString(CultureInfo.InvariantCulture)) });
                events = e == 0 ? new RowRange(index, 1) : new RowRange(events.Start, events.Count + 1);
            }

            batch.Spans.Add(new SpanRow
            {
                TraceId = traceId,
                SpanId = spanId,
                ParentSpanId = parent,
                Events = events,
                Name = batch.AddString(first ? "GET /load" : "work " + (i % spansPerTrace).ToString(CultureInfo.InvariantCulture)),
                Kind = first ? SpanKind.Server : SpanKind.Internal,
                ScopeIndex = scope,
                StartTimeUnixNano = start,
                EndTimeUnixNano = start + (ulong)random.Next(10_000, 50_000_000),
                Attributes = new RowRange(attrs, attributes),
                Flags = 1,
            });
        }

        return batch;
    }
}
