using System.Globalization;
using Ariadne.Model;

namespace Ariadne.Analysis.Tests.Metrics;

/// <summary>Builds span batches by hand: resources with attributes, spans with ids, kinds, statuses, times and attributes.</summary>
internal sealed class BatchBuilder
{
    public const ulong BaseTimeUnixNano = 1_700_000_000_000_000_000;

    public SpanBatch Batch { get; } = new();

    /// <summary>Adds a resource (with its scope) and returns the scope index spans refer to.</summary>
    public int Resource(string? service, params (string Key, object Value)[] attributes)
    {
        var all = service is null ? attributes : [("service.name", service), .. attributes];
        var range = AddAttributes(all);
        var resource = Batch.Resources.Add(new ResourceRow { Attributes = range });
        return Batch.Scopes.Add(new ScopeRow { ResourceIndex = resource });
    }

    public BatchBuilder Span(
        int scope,
        TraceId trace,
        ulong spanId,
        ulong parentId = 0,
        string name = "op",
        SpanKind kind = SpanKind.Internal,
        StatusCode status = StatusCode.Unset,
        ulong startOffsetNanos = 0,
        ulong durationNanos = 1_000_000,
        params (string Key, object Value)[] attributes)
    {
        var range = AddAttributes(attributes);
        Batch.Spans.Add(new SpanRow
        {
            TraceId = trace,
            SpanId = new SpanId(spanId),
            ParentSpanId = new SpanId(parentId),
            StartTimeUnixNano = BaseTimeUnixNano + startOffsetNanos,
            EndTimeUnixNano = BaseTimeUnixNano + startOffsetNanos + durationNanos,
            ScopeIndex = scope,
            Name = Batch.AddString(name),
            Attributes = range,
            Kind = kind,
            StatusCode = status,
        });
        return this;
    }

    public static TraceId Trace(ulong n) => new(0xABCD, n);

    private RowRange AddAttributes((string Key, object Value)[] attributes)
    {
        var start = Batch.Attributes.Count;
        foreach (var (key, value) in attributes)
        {
            var any = value switch
            {
                string s => AnyValue.FromString(Batch.AddString(s)),
                long l => AnyValue.FromInt(l),
                int i => AnyValue.FromInt(i),
                bool b => AnyValue.FromBool(b),
                double d => AnyValue.FromDouble(d),
                _ => throw new ArgumentException(Convert.ToString(value, CultureInfo.InvariantCulture)),
            };
            Batch.Attributes.Add(new KeyValue(Batch.AddString(key), any));
        }

        return new RowRange(start, attributes.Length);
    }
}
