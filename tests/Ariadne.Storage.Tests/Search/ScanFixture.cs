using Ariadne.Model;

namespace Ariadne.Storage.Tests.Search;

/// <summary>Builds small traces with chosen services, names, statuses, durations and attributes.</summary>
internal static class ScanFixture
{
    public readonly record struct SpanSpec(
        string Service,
        string Name,
        StatusCode Status = StatusCode.Unset,
        ulong StartUnixNano = 1_000_000,
        ulong DurationNanos = 1_000,
        string? Attribute = null,
        object? Value = null,
        SpanKind Kind = SpanKind.Server);

    public static SpanBatch Trace(TraceId traceId, ulong firstSpanId, params SpanSpec[] specs)
    {
        var batch = new SpanBatch();
        for (var i = 0; i < specs.Length; i++)
        {
            var spec = specs[i];
            var resourceAttrs = batch.Attributes.Add(new KeyValue(batch.AddString("service.name"), AnyValue.FromString(batch.AddString(spec.Service))));
            batch.Attributes.Add(new KeyValue(batch.AddString("host.name"), AnyValue.FromString(batch.AddString("host-" + spec.Service))));
            var resource = batch.Resources.Add(new ResourceRow { Attributes = new RowRange(resourceAttrs, 2) });
            var scope = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = batch.AddString("lib") });
            var attrs = new RowRange(batch.Attributes.Count, 0);
            if (spec.Attribute is not null)
            {
                var value = spec.Value switch
                {
                    string s => AnyValue.FromString(batch.AddString(s)),
                    long l => AnyValue.FromInt(l),
                    int n => AnyValue.FromInt(n),
                    double d => AnyValue.FromDouble(d),
                    bool b => AnyValue.FromBool(b),
                    _ => AnyValue.Empty,
                };
                attrs = new RowRange(batch.Attributes.Add(new KeyValue(batch.AddString(spec.Attribute), value)), 1);
            }

            batch.Spans.Add(new SpanRow
            {
                TraceId = traceId,
                SpanId = new SpanId(firstSpanId + (ulong)i),
                ParentSpanId = i == 0 ? default : new SpanId(firstSpanId),
                Name = batch.AddString(spec.Name),
                ScopeIndex = scope,
                StartTimeUnixNano = spec.StartUnixNano,
                EndTimeUnixNano = spec.StartUnixNano + spec.DurationNanos,
                Kind = spec.Kind,
                StatusCode = spec.Status,
                Attributes = attrs,
            });
        }

        return batch;
    }

    /// <summary>Trace id → span ids of every yielded trace; fails on a trace or span yielded twice.</summary>
    public static Dictionary<TraceId, HashSet<SpanId>> Collect(IEnumerable<SpanBatch> batches)
    {
        var traces = new Dictionary<TraceId, HashSet<SpanId>>();
        foreach (var batch in batches)
        {
            var inBatch = new HashSet<TraceId>();
            foreach (var span in batch.Spans.Rows.ToArray())
            {
                if (inBatch.Add(span.TraceId))
                {
                    Assert.False(traces.ContainsKey(span.TraceId), $"trace {span.TraceId} yielded twice");
                    traces[span.TraceId] = [];
                }

                Assert.True(traces[span.TraceId].Add(span.SpanId), $"span {span.SpanId} of {span.TraceId} yielded twice");
            }
        }

        return traces;
    }
}
