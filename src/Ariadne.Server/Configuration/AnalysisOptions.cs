namespace Ariadne.Server.Configuration;

/// <summary>
/// <c>analysis</c>: metrics computed from every accepted span before any sampling. Both parts are on
/// by default; their series are served on /metrics and the service graph on /api/dependencies.
/// </summary>
internal sealed class AnalysisOptions
{
    public SpanMetricsOptions SpanMetrics { get; set; } = new();

    public ServiceGraphOptions ServiceGraph { get; set; } = new();
}

/// <summary><c>analysis.span_metrics</c>: RED metrics as the Collector's spanmetrics connector computes them.</summary>
internal sealed class SpanMetricsOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Extra dimensions: span attributes, else resource attributes, with an optional default.</summary>
    public List<SpanMetricsDimensionOptions> Dimensions { get; set; } = [];

    /// <summary>Explicit bucket bounds; none given means the connector's defaults (2ms … 15s).</summary>
    public List<TimeSpan>? HistogramBuckets { get; set; }

    public int MaxSeries { get; set; } = 10_000;

    public bool Exemplars { get; set; } = true;
}

internal sealed class SpanMetricsDimensionOptions
{
    public string Name { get; set; } = string.Empty;

    public string? Default { get; set; }
}

/// <summary><c>analysis.service_graph</c>: edges between services as Tempo's service-graph processor records them.</summary>
internal sealed class ServiceGraphOptions
{
    public bool Enabled { get; set; } = true;

    public TimeSpan Wait { get; set; } = TimeSpan.FromSeconds(10);

    public int MaxItems { get; set; } = 10_000;

    public int MaxEdges { get; set; } = 10_000;

    public int MaxTrackedSpans { get; set; } = 200_000;

    /// <summary>Explicit bucket bounds; none given means Tempo's defaults (0.1s … 12.8s).</summary>
    public List<TimeSpan>? HistogramBuckets { get; set; }

    public TimeSpan DependenciesRetention { get; set; } = TimeSpan.FromHours(24);
}
