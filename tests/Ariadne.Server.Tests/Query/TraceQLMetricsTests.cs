using System.Net;
using System.Text.Json;
using Ariadne.Model;
using Ariadne.Server.Query;
using Ariadne.Server.Tests.EndToEnd;
using Ariadne.Server.Tests.Infrastructure;
using Ariadne.Storage;
using Ariadne.TraceQL.Fetch;
using Ariadne.TraceQL.Metrics;
using Ariadne.TraceQL.Tests.Metrics;
using OpenTelemetry.Exporter;

namespace Ariadne.Server.Tests.Query;

/// <summary>TraceQL metrics over the store: spans read as columns agree with traces evaluated whole, and the Tempo-shaped API over SDK-exported spans.</summary>
public sealed class TraceQLMetricsTests
{
    private static readonly MetricsRequest Window = new()
    {
        StartUnixNanos = MetricsData.WindowStart,
        EndUnixNanos = MetricsData.WindowStart + (600 * MetricsData.Second),
        StepNanos = 60 * MetricsData.Second,
    };

    [Theory]
    [InlineData("{ } | rate()", true)]
    [InlineData("{ status = error } | count_over_time() by (name)", true)]
    [InlineData("{ duration > 1s } | quantile_over_time(duration, 0.5, 0.99) by (status)", true)]
    [InlineData("{ name != \"load\" && kind = server } | histogram_over_time(duration)", true)]
    [InlineData("{ } | avg_over_time(duration) by (kind)", true)]
    [InlineData("{ } | rate() by (resource.service.name)", true)]
    [InlineData("{ resource.service.name = \"cart\" && status = error } | count_over_time() by (name, resource.service.name)", true)]
    [InlineData("{ resource.service.name != \"cart\" } | count_over_time()", false)]
    [InlineData("{ resource.service.name = \"cart\" } | max_over_time(span.bytes)", false)]
    [InlineData("{ span.bytes > 5000 } | count_over_time() by (resource.service.name)", false)]
    public async Task Store_AnswersAsTheWholeTraceEvaluationDoes_ReadingColumnsWhenItCan(string query, bool columnar)
    {
        using var directory = new TempDirectory();
        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = directory.Path });
        var (batch, _) = MetricsData.Create();

        // Two thirds of the spans in a block, the rest in the head.
        var (early, late) = (new SpanBatch(), new SpanBatch());
        var (earlyCopier, lateCopier) = (new SpanCopier(early), new SpanCopier(late));
        for (var i = 0; i < batch.SpanCount; i++)
        {
            (batch.Spans[i].TraceId.Low % 3 == 0 ? lateCopier : earlyCopier).CopySpan(batch, i);
        }

        await store.AppendAsync(early);
        await store.FlushAsync();
        await store.AppendAsync(late);

        var engine = new MetricsEngine();
        var fetcher = new StoreSpansetFetcher(store);
        var fromStore = await engine.QueryAsync(query, Window, fetcher, CancellationToken.None);
        var whole = await engine.QueryAsync(query, Window, new InMemorySpansetFetcher([batch]), CancellationToken.None);

        Assert.Equal(columnar, fetcher.Metrics.TracesYielded == 0);
        Assert.Equal(whole.Series.Count, fromStore.Series.Count);
        Assert.NotEmpty(whole.Series);
        for (var s = 0; s < whole.Series.Count; s++)
        {
            Assert.Equal(whole.Series[s].Labels, fromStore.Series[s].Labels);
            var (expected, actual) = (whole.Series[s].Values, fromStore.Series[s].Values);
            Assert.Equal(expected.Length, actual.Length);
            for (var i = 0; i < expected.Length; i++)
            {
                // Sums may differ in their last bits: the spans are added in another order.
                Assert.True(double.IsNaN(expected[i]) ? double.IsNaN(actual[i]) : Math.Abs(expected[i] - actual[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])), $"{query}: interval {i}: {expected[i]} vs {actual[i]}");
            }
        }
    }

    [Fact]
    public async Task Api_QueryRangeAndInstant_CountSdkSpansInTempoShape_AndRejectBadParameters()
    {
        await using var server = await LoopbackServer.StartAsync();
        var exported = OpenTelemetrySdkTests.ExportCheckoutTrace(server, OtlpExportProtocol.HttpProtobuf);
        exported.AddRange(OpenTelemetrySdkTests.ExportCheckoutTrace(server, OtlpExportProtocol.Grpc));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var window = $"&start={now - 600}&end={now + 60}&step=60s";

        var range = await GetAsync(server, "/api/metrics/query_range?q=" + Q("{ } | count_over_time() by (resource.service.name)") + window);
        var totals = range.GetProperty("series").EnumerateArray().ToDictionary(
            s => s.GetProperty("labels")[0].GetProperty("value").GetProperty("stringValue").GetString()!,
            s => s.GetProperty("samples").EnumerateArray().Sum(x => x.GetProperty("value").GetDouble()));
        Assert.Equal(new Dictionary<string, double> { ["frontend"] = 4, ["payments"] = 8 }, totals);
        var sample = range.GetProperty("series")[0].GetProperty("samples")[0];
        Assert.Equal(0, long.Parse(sample.GetProperty("timestampMs").GetString()!, System.Globalization.CultureInfo.InvariantCulture) % 60_000);
        var exemplar = range.GetProperty("series")[0].GetProperty("exemplars")[0];
        Assert.Equal("trace:id", exemplar.GetProperty("labels")[0].GetProperty("key").GetString());
        Assert.Contains(exported, a => a.TraceId.ToHexString() == exemplar.GetProperty("labels")[0].GetProperty("value").GetProperty("stringValue").GetString());

        var errors = await GetAsync(server, "/api/metrics/query?q=" + Q("{ status = error } | count_over_time()") + window);
        Assert.Equal(exported.Count(a => a.Status == System.Diagnostics.ActivityStatusCode.Error), Assert.Single(errors.GetProperty("series").EnumerateArray()).GetProperty("value").GetDouble());

        var slowest = await GetAsync(server, "/api/metrics/query?q=" + Q("{ name = \"charge card\" } | max_over_time(duration)") + window);
        var expected = exported.Where(a => a.DisplayName == "charge card").Max(a => a.Duration.Ticks / 1e7);
        Assert.Equal(expected, slowest.GetProperty("series")[0].GetProperty("value").GetDouble(), 6);

        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(server, "/api/metrics/query_range?q=" + Q("{ } | rate(duration)")));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(server, "/api/metrics/query_range?q=" + Q("{ }")));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(server, "/api/metrics/query_range"));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(server, "/api/metrics/query_range?q=" + Q("{ } | rate()") + "&step=soon"));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(server, "/api/metrics/query_range?q=" + Q("{ } | rate()") + $"&start={now}&end={now - 10}"));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(server, "/api/metrics/query_range?q=" + Q("{ } | rate()") + $"&start={now - 86_400 * 30}&end={now}&step=1s"));
        Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(server, "/api/search?q=" + Q("{ } | rate()")));
    }

    private static string Q(string text) => Uri.EscapeDataString(text);

    private static async Task<JsonElement> GetAsync(LoopbackServer server, string pathAndQuery)
    {
        using var response = await server.Query.GetAsync(new Uri(server.TempoEndpoint, pathAndQuery));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<HttpStatusCode> StatusAsync(LoopbackServer server, string pathAndQuery)
    {
        using var response = await server.Query.GetAsync(new Uri(server.TempoEndpoint, pathAndQuery));
        return response.StatusCode;
    }
}
