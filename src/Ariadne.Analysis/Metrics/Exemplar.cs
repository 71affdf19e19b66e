using Ariadne.Model;

namespace Ariadne.Analysis.Metrics;

/// <summary>A span a sample came from, served with the sample in the OpenMetrics format.</summary>
internal readonly record struct Exemplar(TraceId TraceId, SpanId SpanId, double Value, ulong TimeUnixNano)
{
    public bool IsSet => TraceId.IsValid;
}
