using Ariadne.Model;
using Ariadne.TraceQL.Ast;
using Ariadne.TraceQL.Fetch;
using Ariadne.TraceQL.Metrics;
using Ariadne.TraceQL.Syntax;

namespace Ariadne.TraceQL.Tests.Metrics;

/// <summary>TraceQL metrics over a generated data set, each value checked against one computed here from the spans directly.</summary>
public class MetricsEngineTests
{
    private const ulong Second = MetricsData.Second;
    private const ulong WindowStart = MetricsData.WindowStart;

    private static readonly (SpanBatch Batch, List<MetricsData.Spec> Specs) Shared = MetricsData.Create();

    private static MetricsRequest Window(ulong stepSeconds = 60, bool instant = false) =>
        new() { StartUnixNanos = WindowStart, EndUnixNanos = WindowStart + (600 * Second), StepNanos = stepSeconds * Second, Instant = instant };

    private static Task<MetricsResponse> Run(string query, MetricsRequest? request = null, MetricsEngine? engine = null) =>
        (engine ?? new MetricsEngine()).QueryAsync(query, request ?? Window(), new InMemorySpansetFetcher([Shared.Batch]), CancellationToken.None);

    private static IEnumerable<MetricsData.Spec> InWindow => Shared.Specs.Where(s => s.Start >= WindowStart && s.Start < WindowStart + (600 * Second));

    private static int Interval(MetricsData.Spec spec) => (int)((spec.Start - WindowStart) / (60 * Second));

    private static string Label(MetricsSeries series, string key) => series.Labels.Single(l => l.Key == key).Value.Text!;

    [Fact]
    public async Task Rate_ByService_IsSpansPerSecondInEachStep()
    {
        var response = await Run("{ } | rate() by (resource.service.name)");

        Assert.Equal(3, response.Series.Count);
        foreach (var series in response.Series)
        {
            var service = Label(series, "resource.service.name");
            Assert.Equal(10, series.Values.Length);
            for (var i = 0; i < 10; i++)
            {
                var expected = InWindow.Count(s => s.Service == service && Interval(s) == i) / 60.0;
                Assert.Equal(expected, series.Values[i], 9);
            }
        }
    }

    [Fact]
    public async Task CountOverTime_OfErrors_CountsOnlyMatchingSpans()
    {
        var response = await Run("{ status = error } | count_over_time()");

        var series = Assert.Single(response.Series);
        Assert.Empty(series.Labels);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(InWindow.Count(s => s.Status == StatusCode.Error && Interval(s) == i), series.Values[i]);
        }
    }

    [Theory]
    [InlineData("avg_over_time")]
    [InlineData("min_over_time")]
    [InlineData("max_over_time")]
    [InlineData("sum_over_time")]
    public async Task ValueFunctions_OfDuration_AreInSeconds_PerNameAndStep(string function)
    {
        var response = await Run($"{{ }} | {function}(duration) by (name)");

        Assert.Equal(3, response.Series.Count);
        foreach (var series in response.Series)
        {
            var name = Label(series, "name");
            for (var i = 0; i < 10; i++)
            {
                var durations = InWindow.Where(s => s.Name == name && Interval(s) == i).Select(s => s.Duration / 1e9).ToList();
                var expected = durations.Count == 0 ? double.NaN : function switch
                {
                    "avg_over_time" => durations.Average(),
                    "min_over_time" => durations.Min(),
                    "max_over_time" => durations.Max(),
                    _ => durations.Sum(),
                };
                Assert.Equal(expected, series.Values[i], 9);
            }
        }
    }

    [Fact]
    public async Task SumOverTime_OfAnAttribute_SkipsSpansWithoutIt()
    {
        var response = await Run("{ } | sum_over_time(span.bytes)");

        var series = Assert.Single(response.Series);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(InWindow.Where(s => s.Bytes is not null && Interval(s) == i).Sum(s => (double)s.Bytes!.Value), series.Values[i], 6);
        }
    }

    [Fact]
    public async Task QuantileOverTime_IsWithinEightTenthsOfAPercentOfTheExactQuantile_OneSeriesPerQuantile()
    {
        var response = await Run("{ } | quantile_over_time(duration, 0.5, 0.9, 0.99)");

        Assert.Equal(3, response.Series.Count);
        foreach (var series in response.Series)
        {
            var q = series.Labels.Single(l => l.Key == "p").Value.Float;
            for (var i = 0; i < 10; i++)
            {
                var sorted = InWindow.Where(s => Interval(s) == i).Select(s => s.Duration / 1e9).Order().ToList();
                var exact = sorted[(int)Math.Floor(q * (sorted.Count - 1))];
                Assert.InRange(series.Values[i], exact * 0.992, exact * 1.008);
            }
        }
    }

    [Fact]
    public async Task HistogramOverTime_CountsSpansInPowerOfTwoBuckets()
    {
        var response = await Run("{ } | histogram_over_time(duration)");

        var expected = InWindow.GroupBy(s => Math.Pow(2, Math.Ceiling(Math.Log2(s.Duration / 1e9)))).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(expected.Keys.Order(), response.Series.Select(s => s.Labels.Single(l => l.Key == "__bucket").Value.Float).Order());
        foreach (var series in response.Series)
        {
            var bucket = series.Labels.Single(l => l.Key == "__bucket").Value.Float;
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(expected[bucket].Count(s => Interval(s) == i), series.Values[i]);
            }
        }
    }

    [Fact]
    public async Task StructuralFilter_CountsTheSpansItReturns()
    {
        var response = await Run("{ resource.service.name = \"gateway\" } >> { status = error } | count_over_time()", Window(600));

        var expected = InWindow.Count(s => s.Status == StatusCode.Error && s.Service != "gateway");
        Assert.Equal(expected, Assert.Single(Assert.Single(response.Series).Values));
    }

    [Fact]
    public async Task InstantQuery_HasOneValueOverTheWholeWindow()
    {
        var response = await Run("{ } | rate()", Window(instant: true));

        Assert.Equal(InWindow.Count() / 600.0, Assert.Single(Assert.Single(response.Series).Values), 9);
    }

    [Fact]
    public async Task UnalignedWindow_IsWidenedToWholeSteps_AndSpansOutsideAreLeftOut()
    {
        var request = new MetricsRequest { StartUnixNanos = WindowStart + (30 * Second), EndUnixNanos = WindowStart + (90 * Second), StepNanos = 60 * Second };
        var response = await Run("{ } | count_over_time()", request);

        Assert.Equal(WindowStart, response.StartUnixNanos);
        var series = Assert.Single(response.Series);
        Assert.Equal(2, series.Values.Length);
        Assert.Equal(InWindow.Count(s => Interval(s) == 1), series.Values[1]);
        Assert.Equal(InWindow.Count(s => Interval(s) == 0), series.Values[0]);
    }

    [Fact]
    public async Task Exemplars_AreSpansOfTheirSeries_WithTheSeriesValueForRates()
    {
        var response = await Run("{ } | count_over_time() by (resource.service.name)");
        foreach (var series in response.Series)
        {
            Assert.NotEmpty(series.Exemplars);
            var service = Label(series, "resource.service.name");
            foreach (var exemplar in series.Exemplars)
            {
                var spec = Shared.Specs.Single(s => s.Trace.ToString() == exemplar.TraceId && new SpanId(s.SpanId).ToString() == exemplar.SpanId);
                Assert.Equal(service, spec.Service);
                Assert.Equal((long)(spec.Start / 1_000_000), exemplar.TimestampMs);
                Assert.Equal(series.Values[Interval(spec)], exemplar.Value);
            }
        }
    }

    [Fact]
    public async Task TooManySeries_IsAnError()
    {
        await Assert.ThrowsAsync<TraceQLException>(() => Run("{ } | rate() by (span.bytes)", engine: new MetricsEngine { MaxSeries = 10 }));
    }

    [Theory]
    [InlineData("{ } | rate(duration)", "')': rate() takes no arguments")]
    [InlineData("{ } | quantile_over_time(duration)", "expected ',' and at least one quantile")]
    [InlineData("{ } | quantile_over_time(duration, 1.5)", "expected a quantile between 0 and 1")]
    [InlineData("{ } | min_over_time()", "expected a field such as duration")]
    [InlineData("{ } | nosuch()", "nosuch")]
    [InlineData("{ }", "expected '|' and a metrics function")]
    [InlineData("{ } | rate() by (", "expected a field")]
    [InlineData("{ } | min_over_time(name)", "name is not a number")]
    public void Parse_Invalid_SaysWhatWasExpected(string query, string expected)
    {
        var error = Assert.Throws<TraceQLException>(() => MetricsEngine.Parse(query));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Valid_ReadsFunctionFieldQuantilesGroupingAndIgnoresHints()
    {
        var query = MetricsEngine.Parse("{ status = error } | by(name) | quantile_over_time(duration, .5, 0.99) by (resource.service.name, name) with(sample=true)");

        Assert.Equal(MetricsFunction.QuantileOverTime, query.Function);
        Assert.Equal(Intrinsic.Duration, query.Field!.Intrinsic);
        Assert.Equal([0.5, 0.99], query.Quantiles);
        Assert.Equal(["resource.service.name", "name"], query.By.Select(Printer.Print));
        Assert.Equal(2, query.Filter.Elements.Count);
    }

    [Fact]
    public void SearchParse_OfAMetricsQuery_PointsToTheMetricsApi()
    {
        var error = Assert.Throws<TraceQLException>(() => Parser.Parse("{ } | rate()"));
        Assert.Contains("/api/metrics/query_range", error.Message, StringComparison.Ordinal);
    }
}
