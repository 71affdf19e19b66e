namespace Ariadne.Analysis.Metrics;

/// <summary>What span metrics aggregate by and how much they may hold.</summary>
internal sealed class SpanMetricsSettings
{
    /// <summary>The spanmetrics connector's default explicit buckets (2 ms … 15 s).</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultBuckets =
    [
        TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(4), TimeSpan.FromMilliseconds(6), TimeSpan.FromMilliseconds(8),
        TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200),
        TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(1400),
        TimeSpan.FromMilliseconds(2000), TimeSpan.FromMilliseconds(5000), TimeSpan.FromMilliseconds(10000), TimeSpan.FromMilliseconds(15000),
    ];

    /// <summary>Extra dimensions after service, span name, kind and status: span attributes, else resource attributes.</summary>
    public IReadOnlyList<SpanMetricsDimension> Dimensions { get; init; } = [];

    public IReadOnlyList<TimeSpan> HistogramBuckets { get; init; } = DefaultBuckets;

    /// <summary>Series beyond this go to one overflow series labelled <c>otel_metric_overflow="true"</c>.</summary>
    public int MaxSeries { get; init; } = 10_000;

    /// <summary>Keep the latest span of each bucket as an exemplar.</summary>
    public bool Exemplars { get; init; } = true;
}
