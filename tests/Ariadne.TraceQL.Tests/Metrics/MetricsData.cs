using Ariadne.Model;

namespace Ariadne.TraceQL.Tests.Metrics;

/// <summary>
/// 400 traces of three spans (gateway → cart, payments) with random names, statuses, durations and a
/// "bytes" attribute on two spans in three, starting from a minute before a ten-minute window to a
/// minute after it, for metrics tests that compute every expected value from the specs themselves.
/// </summary>
internal static class MetricsData
{
    public const ulong Second = 1_000_000_000;
    public const ulong WindowStart = 1_699_999_800 * Second; // a whole number of minutes and of ten minutes
    private static readonly string[] Services = ["gateway", "cart", "payments"];
    private static readonly string[] Names = ["GET /", "load", "charge"];

    internal sealed record Spec(TraceId Trace, ulong SpanId, ulong Parent, string Service, string Name, StatusCode Status, ulong Start, ulong Duration, long? Bytes);

    public static (SpanBatch Batch, List<Spec> Specs) Create()
    {
        var random = new Random(4242);
        var batch = new SpanBatch();
        var scopes = new Dictionary<string, int>();
        foreach (var service in Services)
        {
            var attrs = batch.Attributes.Add(new KeyValue(batch.AddString("service.name"), AnyValue.FromString(batch.AddString(service))));
            var resource = batch.Resources.Add(new ResourceRow { Attributes = new RowRange(attrs, 1) });
            scopes[service] = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = batch.AddString("lib") });
        }

        var specs = new List<Spec>();
        for (var t = 0; t < 400; t++)
        {
            var trace = new TraceId(77, (ulong)t + 1);
            var traceStart = WindowStart - (60 * Second) + ((ulong)random.NextInt64(0, 660) * Second) + (ulong)random.Next(0, 1_000_000_000);
            for (var s = 0; s < 3; s++)
            {
                var spec = new Spec(
                    trace,
                    (ulong)s + 1,
                    s == 0 ? 0UL : 1UL,
                    Services[s],
                    Names[random.Next(Names.Length)],
                    random.Next(5) == 0 ? StatusCode.Error : StatusCode.Ok,
                    traceStart + ((ulong)s * 1_000_000),
                    (ulong)random.NextInt64(1_000, 3_000_000_000),
                    random.Next(3) == 0 ? null : random.Next(0, 10_000));
                specs.Add(spec);
                var start = batch.Attributes.Count;
                if (spec.Bytes is { } bytes)
                {
                    batch.Attributes.Add(new KeyValue(batch.AddString("bytes"), AnyValue.FromInt(bytes)));
                }

                batch.Spans.Add(new SpanRow
                {
                    TraceId = trace,
                    SpanId = new SpanId(spec.SpanId),
                    ParentSpanId = new SpanId(spec.Parent),
                    ScopeIndex = scopes[spec.Service],
                    Name = batch.AddString(spec.Name),
                    Kind = s == 0 ? SpanKind.Server : SpanKind.Client,
                    StatusCode = spec.Status,
                    StartTimeUnixNano = spec.Start,
                    EndTimeUnixNano = spec.Start + spec.Duration,
                    Attributes = new RowRange(start, batch.Attributes.Count - start),
                });
            }
        }

        return (batch, specs);
    }

}
