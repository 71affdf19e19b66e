using Ariadne.TraceQL.Ast;

namespace Ariadne.TraceQL.Metrics;

/// <summary>One exemplar: a span that contributed to a series, its value and its start (Unix ms).</summary>
internal readonly record struct MetricsExemplar(string TraceId, string SpanId, double Value, long TimestampMs);

/// <summary>
/// One time series: its labels (the <c>by</c> values, plus <c>p</c> for a quantile or <c>__bucket</c> for a
/// histogram), one value per step interval (NaN where the interval had nothing to aggregate) and exemplars.
/// </summary>
internal sealed record MetricsSeries(IReadOnlyList<(string Key, StaticValue Value)> Labels, double[] Values, IReadOnlyList<MetricsExemplar> Exemplars);

internal sealed record MetricsResponse(IReadOnlyList<MetricsSeries> Series, ulong StartUnixNanos, ulong StepNanos, long InspectedSpans, long InspectedTraces)
{
    /// <summary>The start (Unix ms) of interval <paramref name="index"/>.</summary>
    public long TimestampMs(int index) => (long)((StartUnixNanos + ((ulong)index * StepNanos)) / 1_000_000);
}
