using Ariadne.Analysis.Metrics;
using Ariadne.Server.Configuration;

namespace Ariadne.Server.Ingest;

/// <summary>Turns the validated <c>analysis</c> section into the analyzer ingest feeds.</summary>
internal static class SpanAnalyzerFactory
{
    public static SpanAnalyzer Create(AnalysisOptions options, TimeProvider time)
    {
        var spans = options.SpanMetrics;
        var graph = options.ServiceGraph;
        var dimensions = new List<SpanMetricsDimension>(spans.Dimensions.Count);
        foreach (var dimension in spans.Dimensions)
        {
            dimensions.Add(new SpanMetricsDimension(dimension.Name, dimension.Default));
        }

        return new SpanAnalyzer(
            spans.Enabled
                ? new SpanMetricsSettings
                {
                    Dimensions = dimensions,
                    HistogramBuckets = spans.HistogramBuckets ?? SpanMetricsSettings.DefaultBuckets,
                    MaxSeries = spans.MaxSeries,
                    Exemplars = spans.Exemplars,
                }
                : null,
            graph.Enabled
                ? new ServiceGraphSettings
                {
                    Wait = graph.Wait,
                    MaxItems = graph.MaxItems,
                    MaxEdges = graph.MaxEdges,
                    MaxTrackedSpans = graph.MaxTrackedSpans,
                    HistogramBuckets = graph.HistogramBuckets ?? ServiceGraphSettings.DefaultBuckets,
                    DependencyRetention = graph.DependenciesRetention,
                }
                : null,
            time);
    }
}
