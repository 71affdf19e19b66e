using Ariadne.Server.Configuration;

namespace Ariadne.Server.Tests.Configuration;

public sealed class AnalysisConfigTests
{
    [Fact]
    public void Parse_NoAnalysisSection_BothPartsOnWithTheirDefaults()
    {
        var options = ConfigLoader.Parse("storage:\n  path: ./data\n", "test");

        Assert.True(options.Analysis.SpanMetrics.Enabled);
        Assert.Equal(10_000, options.Analysis.SpanMetrics.MaxSeries);
        Assert.Null(options.Analysis.SpanMetrics.HistogramBuckets);
        Assert.True(options.Analysis.ServiceGraph.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Analysis.ServiceGraph.Wait);
        Assert.Equal(10_000, options.Analysis.ServiceGraph.MaxItems);
    }

    [Fact]
    public void Parse_AnalysisSection_ReadsDimensionsBucketsAndLimits()
    {
        var options = ConfigLoader.Parse("""
            analysis:
              span_metrics:
                dimensions: [ { name: http.route }, { name: deployment.environment, default: none } ]
                histogram_buckets: [ 5ms, 50ms, 1s ]
                max_series: 500
              service_graph:
                enabled: false
                wait: 2s
                max_items: 100
            """, "test");

        var spans = options.Analysis.SpanMetrics;
        Assert.Equal(["http.route", "deployment.environment"], spans.Dimensions.Select(d => d.Name));
        Assert.Equal([null, "none"], spans.Dimensions.Select(d => d.Default));
        Assert.Equal([TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1)], spans.HistogramBuckets!);
        Assert.Equal(500, spans.MaxSeries);
        Assert.False(options.Analysis.ServiceGraph.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Analysis.ServiceGraph.Wait);
        Assert.Equal(100, options.Analysis.ServiceGraph.MaxItems);
    }

    [Fact]
    public void Parse_InvalidAnalysisSettings_ListsEveryError()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse("""
            analysis:
              span_metrics:
                dimensions: [ { name: span.name }, { name: "" } ]
                histogram_buckets: [ 10ms, 5ms ]
                max_series: 0
              service_graph:
                wait: 0s
                max_items: -1
            """, "test"));

        Assert.Contains("analysis.span_metrics.max_series: expected a number from 1 to 1000000", error.Message, StringComparison.Ordinal);
        Assert.Contains("analysis.span_metrics.dimensions[0].name: 'span.name' is already a dimension", error.Message, StringComparison.Ordinal);
        Assert.Contains("analysis.span_metrics.dimensions[1].name: expected an attribute name", error.Message, StringComparison.Ordinal);
        Assert.Contains("analysis.span_metrics.histogram_buckets: expected positive durations in increasing order", error.Message, StringComparison.Ordinal);
        Assert.Contains("analysis.service_graph.wait: expected a positive duration", error.Message, StringComparison.Ordinal);
        Assert.Contains("analysis.service_graph.max_items: expected a number from 1 to 10000000", error.Message, StringComparison.Ordinal);
    }
}
