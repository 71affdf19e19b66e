using System.Globalization;
using Ariadne.Model;

namespace Ariadne.Cli.LoadGen;

/// <summary>
/// The span profiles the load generator and the benchmarks share: <c>realistic</c> (see
/// <see cref="RealisticSpans"/>), <c>small</c> (4-span traces, 3 attributes per span) and <c>wide</c>
/// (8-span traces, 60 attributes per span, values up to 200 bytes).
/// </summary>
internal static class SpanProfiles
{
    public static readonly string[] Names = ["realistic", "small", "wide"];

    public static SpanBatch Create(string profile, int spanCount, int seed) => profile switch
    {
        "realistic" => RealisticSpans.Create(spanCount, seed),
        "small" => Simple(spanCount, seed, spansPerTrace: 4, attributes: 3, valueLength: 12),
        "wide" => Simple(spanCount, seed, spansPerTrace: 8, attributes: 60, valueLength: 200),
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, $"expected one of {string.Join(", ", Names)}"),
    };

    private static SpanBatch Simple(int spanCount, int seed, int spansPerTrace, int attributes, int valueLength)
    {
        var random = new Random(seed);
        var batch = new SpanBatch();
        var resourceAttrs = batch.Attributes.Add(new KeyValue(batch.AddString("service.name"), AnyValue.FromString(batch.AddString("loadgen"))));
        var resource = batch.Resources.Add(new ResourceRow { Attributes = new RowRange(resourceAttrs, 1) });
        var scope = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = batch.AddString("ariadne.loadgen") });
        var start = (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        var traceId = default(TraceId);
        var root = default(SpanId);
        for (var i = 0; i < spanCount; i++)
        {
            if (i % spansPerTrace == 0)
            {
                traceId = new TraceId((ulong)random.NextInt64(), (ulong)random.NextInt64());
                root = new SpanId((ulong)random.NextInt64() | 1);
            }

            var attrs = batch.Attributes.Reserve(attributes);
            for (var a = 0; a < attributes; a++)
            {
                var value = new string((char)('a' + random.Next(26)), 1 + random.Next(valueLength));
                batch.Attributes[attrs + a] = a % 3 == 0
                    ? new KeyValue(batch.AddString("load.n" + a.ToString(CultureInfo.InvariantCulture)), AnyValue.FromInt(random.Next(1000)))
                    : new KeyValue(batch.AddString("load.s" + a.ToString(CultureInfo.InvariantCulture)), AnyValue.FromString(batch.AddString(value)));
            }

            var first = i % spansPerTrace == 0;
            batch.Spans.Add(new SpanRow
            {
                TraceId = traceId,
                SpanId = first ? root : new SpanId((ulong)random.NextInt64() | 1),
                ParentSpanId = first ? default : root,
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
