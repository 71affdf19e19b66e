using Ariadne.Analysis.Metrics;
using Ariadne.Model;

namespace Ariadne.Analysis.Tests.Metrics;

public sealed class SpanMetricsTests
{
    private const string Calls = SpanMetrics.CallsName;
    private const string Duration = SpanMetrics.DurationName;

    private static readonly string[] KindNames = ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"];
    private static readonly string[] StatusNames = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"];

    [Fact]
    public void Observe_SeveralServicesKindsAndStatuses_CallsAndErrorsMatchCountsPerDimension()
    {
        var metrics = new SpanMetrics(new SpanMetricsSettings());
        var expected = new Dictionary<string, int>();
        var random = new Random(7);
        var services = new[] { "frontend", "checkout", "payments" };
        var names = new[] { "GET /", "POST /pay", "charge" };
        for (var b = 0; b < 5; b++)
        {
            var builder = new BatchBuilder();
            var scopes = services.Select(s => builder.Resource(s)).ToArray();
            for (var i = 0; i < 200; i++)
            {
                var service = random.Next(services.Length);
                var name = names[random.Next(names.Length)];
                var kind = (SpanKind)random.Next(6);
                var status = (StatusCode)random.Next(3);
                builder.Span(scopes[service], BatchBuilder.Trace((ulong)i + 1), (ulong)((b * 1000) + i + 1), name: name, kind: kind, status: status);
                var labels = $"service_name=\"{services[service]}\",span_name=\"{name}\",span_kind=\"{KindNames[(int)kind]}\",status_code=\"{StatusNames[(int)status]}\"";
                expected[labels] = expected.GetValueOrDefault(labels) + 1;
            }

            metrics.Observe(builder.Batch);
        }

        var text = Exposition.Write(metrics);
        Assert.Equal(expected.Count, Exposition.Samples(text, Calls).Count);
        foreach (var (labels, count) in expected)
        {
            Assert.Equal(count, Exposition.Value(text, $"{Calls}{{{labels}}}"));
            Assert.Equal(count, Exposition.Value(text, $"{Duration}_count{{{labels}}}"));
        }

        var errors = expected.Where(e => e.Key.Contains("STATUS_CODE_ERROR", StringComparison.Ordinal)).Sum(e => e.Value);
        var errorSamples = Exposition.Samples(text, Calls).Where(l => l.Contains("STATUS_CODE_ERROR", StringComparison.Ordinal));
        Assert.Equal(errors, errorSamples.Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(1000, expected.Values.Sum());
    }

    [Fact]
    public void Observe_DurationsOnBucketBounds_CountInTheBucketWhoseBoundEqualsThem()
    {
        var metrics = new SpanMetrics(new SpanMetricsSettings());
        var builder = new BatchBuilder();
        var scope = builder.Resource("svc");
        ulong[] durations = [0, 2_000_000, 2_000_001, 10_000_000, 15_000_000_000, 15_000_000_001, 60_000_000_000];
        for (var i = 0; i < durations.Length; i++)
        {
            builder.Span(scope, BatchBuilder.Trace(1), (ulong)i + 1, durationNanos: durations[i]);
        }

        metrics.Observe(builder.Batch);

        var text = Exposition.Write(metrics);
        const string Labels = "service_name=\"svc\",span_name=\"op\",span_kind=\"SPAN_KIND_INTERNAL\",status_code=\"STATUS_CODE_UNSET\"";
        Assert.Equal(2, Exposition.Value(text, $"{Duration}_bucket{{{Labels},le=\"0.002\"}}"));
        Assert.Equal(3, Exposition.Value(text, $"{Duration}_bucket{{{Labels},le=\"0.004\"}}"));
        Assert.Equal(3, Exposition.Value(text, $"{Duration}_bucket{{{Labels},le=\"0.008\"}}"));
        Assert.Equal(4, Exposition.Value(text, $"{Duration}_bucket{{{Labels},le=\"0.01\"}}"));
        Assert.Equal(4, Exposition.Value(text, $"{Duration}_bucket{{{Labels},le=\"10\"}}"));
        Assert.Equal(5, Exposition.Value(text, $"{Duration}_bucket{{{Labels},le=\"15\"}}"));
        Assert.Equal(7, Exposition.Value(text, $"{Duration}_bucket{{{Labels},le=\"+Inf\"}}"));
        Assert.Equal(7, Exposition.Value(text, $"{Duration}_count{{{Labels}}}"));
        Assert.Equal(durations.Sum(d => d / 1e9), Exposition.Value(text, $"{Duration}_sum{{{Labels}}}")!.Value, 9);
        Assert.Equal(17, Exposition.Samples(text, Duration + "_bucket").Count);
    }

    [Fact]
    public void Observe_MoreSeriesThanTheCap_TheRestGoToTheOverflowSeries()
    {
        var metrics = new SpanMetrics(new SpanMetricsSettings { MaxSeries = 3 });
        var builder = new BatchBuilder();
        var scope = builder.Resource("svc");
        for (var i = 0; i < 10; i++)
        {
            builder.Span(scope, BatchBuilder.Trace(1), (ulong)i + 1, name: $"op{i % 5}");
        }

        metrics.Observe(builder.Batch);

        var text = Exposition.Write(metrics);
        Assert.Equal(4, Exposition.Samples(text, Calls).Count);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(2, Exposition.Value(text, $"{Calls}{{service_name=\"svc\",span_name=\"op{i}\",span_kind=\"SPAN_KIND_INTERNAL\",status_code=\"STATUS_CODE_UNSET\"}}"));
        }

        Assert.Equal(4, Exposition.Value(text, $"{Calls}{{otel_metric_overflow=\"true\"}}"));
        Assert.Equal(4, Exposition.Value(text, $"{Duration}_count{{otel_metric_overflow=\"true\"}}"));
        Assert.Equal(3, metrics.SeriesCount);
    }

    [Fact]
    public void Observe_ExtraDimensions_TakeTheSpanAttributeThenTheResourceOneThenTheDefault()
    {
        var metrics = new SpanMetrics(new SpanMetricsSettings
        {
            Dimensions = [new SpanMetricsDimension("http.response.status_code"), new SpanMetricsDimension("deployment.environment", "none")],
        });
        var builder = new BatchBuilder();
        var prod = builder.Resource("svc", ("deployment.environment", "prod"));
        var bare = builder.Resource("svc");
        builder.Span(prod, BatchBuilder.Trace(1), 1, attributes: [("http.response.status_code", 200L)]);
        builder.Span(prod, BatchBuilder.Trace(1), 2, attributes: [("http.response.status_code", 200L), ("deployment.environment", "canary")]);
        builder.Span(bare, BatchBuilder.Trace(1), 3, attributes: [("http.response.status_code", 500L)]);
        builder.Span(bare, BatchBuilder.Trace(1), 4);
        metrics.Observe(builder.Batch);

        var text = Exposition.Write(metrics);
        const string Fixed = "service_name=\"svc\",span_name=\"op\",span_kind=\"SPAN_KIND_INTERNAL\",status_code=\"STATUS_CODE_UNSET\"";
        Assert.Equal(1, Exposition.Value(text, $"{Calls}{{{Fixed},http_response_status_code=\"200\",deployment_environment=\"prod\"}}"));
        Assert.Equal(1, Exposition.Value(text, $"{Calls}{{{Fixed},http_response_status_code=\"200\",deployment_environment=\"canary\"}}"));
        Assert.Equal(1, Exposition.Value(text, $"{Calls}{{{Fixed},http_response_status_code=\"500\",deployment_environment=\"none\"}}"));
        Assert.Equal(1, Exposition.Value(text, $"{Calls}{{{Fixed},deployment_environment=\"none\"}}"));
        Assert.Equal(4, Exposition.Samples(text, Calls).Count);
    }

    [Fact]
    public void WriteTo_OpenMetrics_CarriesTheLatestSpanOfEachBucketAsExemplar()
    {
        var metrics = new SpanMetrics(new SpanMetricsSettings());
        var builder = new BatchBuilder();
        var scope = builder.Resource("svc");
        builder.Span(scope, BatchBuilder.Trace(1), 0x11, durationNanos: 1_000_000);
        builder.Span(scope, BatchBuilder.Trace(2), 0x22, durationNanos: 1_500_000);
        builder.Span(scope, BatchBuilder.Trace(3), 0x33, durationNanos: 3_000_000_000);
        metrics.Observe(builder.Batch);

        var open = Exposition.Write(metrics, openMetrics: true);
        const string Labels = "service_name=\"svc\",span_name=\"op\",span_kind=\"SPAN_KIND_INTERNAL\",status_code=\"STATUS_CODE_UNSET\"";
        var firstBucket = Assert.Single(open.Split('\n'), l => l.StartsWith($"{Duration}_bucket{{{Labels},le=\"0.002\"}}", StringComparison.Ordinal));
        Assert.EndsWith("} 2 # {trace_id=\"000000000000abcd0000000000000002\",span_id=\"0000000000000022\"} 0.0015 1700000000.002", firstBucket);
        var fiveSeconds = Assert.Single(open.Split('\n'), l => l.StartsWith($"{Duration}_bucket{{{Labels},le=\"5\"}}", StringComparison.Ordinal));
        Assert.Contains("# {trace_id=\"000000000000abcd0000000000000003\",span_id=\"0000000000000033\"} 3 ", fiveSeconds, StringComparison.Ordinal);
        var calls = Assert.Single(Exposition.Samples(open, Calls));
        Assert.Contains("} 3 # {trace_id=\"000000000000abcd0000000000000003\"", calls, StringComparison.Ordinal);
        var empty = Assert.Single(open.Split('\n'), l => l.StartsWith($"{Duration}_bucket{{{Labels},le=\"0.004\"}}", StringComparison.Ordinal));
        Assert.DoesNotContain('#', empty);

        var plain = Exposition.Write(metrics);
        Assert.DoesNotContain("trace_id", plain, StringComparison.Ordinal);
    }

    [Fact]
    public void Observe_LabelValuesWithQuotesAndBackslashes_AreEscaped()
    {
        var metrics = new SpanMetrics(new SpanMetricsSettings());
        var builder = new BatchBuilder();
        builder.Span(builder.Resource("a\"b"), BatchBuilder.Trace(1), 1, name: "c\\d\ne");
        metrics.Observe(builder.Batch);

        var text = Exposition.Write(metrics);
        Assert.Equal(1, Exposition.Value(text, $"{Calls}{{service_name=\"a\\\"b\",span_name=\"c\\\\d\\ne\",span_kind=\"SPAN_KIND_INTERNAL\",status_code=\"STATUS_CODE_UNSET\"}}"));
    }
}
