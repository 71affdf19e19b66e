using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Ariadne.Server.Tests.Infrastructure;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ariadne.Server.Tests.Analysis;

/// <summary>
/// Two services instrumented with the real OpenTelemetry .NET SDK call each other and a database; the
/// server's /metrics then carries span metrics and service-graph series with exactly those calls, and
/// /api/dependencies the edges, the database included.
/// </summary>
public sealed class SpanAnalysisEndToEndTests
{
    private const int Requests = 3;
    private const int FailingRequest = 1;

    [Fact]
    public async Task Export_TwoServicesAndADatabase_MetricsAndDependenciesCountEveryCall()
    {
        await using var server = await LoopbackServer.StartAsync();
        var traceIds = ExportShopTraffic(server);

        var text = await ScrapeAsync(server, openMetrics: false);
        const string Checkout = "service_name=\"frontend\",span_name=\"GET /checkout\",span_kind=\"SPAN_KIND_SERVER\",status_code=\"STATUS_CODE_UNSET\"";
        const string PayOk = "service_name=\"payments\",span_name=\"POST /pay\",span_kind=\"SPAN_KIND_SERVER\",status_code=\"STATUS_CODE_UNSET\"";
        const string PayError = "service_name=\"payments\",span_name=\"POST /pay\",span_kind=\"SPAN_KIND_SERVER\",status_code=\"STATUS_CODE_ERROR\"";
        const string Query = "service_name=\"payments\",span_name=\"SELECT orders\",span_kind=\"SPAN_KIND_CLIENT\",status_code=\"STATUS_CODE_UNSET\"";
        Assert.Equal(Requests, Value(text, $"traces_span_metrics_calls_total{{{Checkout}}}"));
        Assert.Equal(Requests - 1, Value(text, $"traces_span_metrics_calls_total{{{PayOk}}}"));
        Assert.Equal(1, Value(text, $"traces_span_metrics_calls_total{{{PayError}}}"));
        Assert.Equal(Requests, Value(text, $"traces_span_metrics_calls_total{{{Query}}}"));
        Assert.Equal(Requests, Value(text, $"traces_span_metrics_duration_seconds_count{{{Checkout}}}"));
        Assert.Equal(Requests, Value(text, $"traces_span_metrics_duration_seconds_bucket{{{Checkout},le=\"+Inf\"}}"));
        Assert.Equal(5, Samples(text, "traces_span_metrics_calls_total").Count);

        const string Pay = "client=\"frontend\",server=\"payments\",connection_type=\"\"";
        const string Database = "client=\"payments\",server=\"orders_db\",connection_type=\"database\"";
        Assert.Equal(Requests, Value(text, $"traces_service_graph_request_total{{{Pay}}}"));
        Assert.Equal(1, Value(text, $"traces_service_graph_request_failed_total{{{Pay}}}"));
        Assert.Equal(Requests, Value(text, $"traces_service_graph_request_server_seconds_count{{{Pay}}}"));
        Assert.Equal(Requests, Value(text, $"traces_service_graph_request_client_seconds_count{{{Pay}}}"));
        Assert.Equal(Requests, Value(text, $"traces_service_graph_request_total{{{Database}}}"));
        Assert.Equal(0, Value(text, $"traces_service_graph_request_failed_total{{{Database}}}"));
        Assert.Equal(2, Samples(text, "traces_service_graph_request_total").Count);

        using var response = await server.Query.GetAsync(new Uri(server.QueryEndpoint, "/api/dependencies?endTs=" + DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds() + "&lookback=3600000"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var links = json.RootElement.GetProperty("data").EnumerateArray()
            .Select(l => (l.GetProperty("parent").GetString(), l.GetProperty("child").GetString(), l.GetProperty("callCount").GetInt64()))
            .ToList();
        Assert.Equal([("frontend", "payments", (long)Requests), ("payments", "orders_db", (long)Requests)], links);
        Assert.Equal(2, json.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("errors").ValueKind);

        using var past = await server.Query.GetAsync(new Uri(server.QueryEndpoint, "/api/dependencies?endTs=" + DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeMilliseconds() + "&lookback=3600000"));
        using var pastJson = JsonDocument.Parse(await past.Content.ReadAsStringAsync());
        Assert.Equal(0, pastJson.RootElement.GetProperty("data").GetArrayLength());

        using var bad = await server.Query.GetAsync(new Uri(server.QueryEndpoint, "/api/dependencies?endTs=soon"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.NotEmpty(traceIds);
    }

    [Fact]
    public async Task Scrape_AskingForOpenMetrics_CarriesExemplarsOfStoredTraces()
    {
        await using var server = await LoopbackServer.StartAsync();
        var traceIds = ExportShopTraffic(server);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.QueryEndpoint, "/metrics"));
        request.Headers.Accept.ParseAdd("application/openmetrics-text;version=1.0.0;q=0.9");
        request.Headers.Accept.ParseAdd("text/plain;version=0.0.4;q=0.5");
        using var response = await server.Query.SendAsync(request);
        Assert.Equal("application/openmetrics-text", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE traces_span_metrics_calls counter\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE ariadne_receiver_accepted_spans counter\n", text, StringComparison.Ordinal);

        var line = Assert.Single(Samples(text, "traces_span_metrics_calls_total"), l => l.Contains("span_name=\"GET /checkout\"", StringComparison.Ordinal));
        var marker = "# {trace_id=\"";
        var at = line.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at > 0, line);
        var traceId = line.Substring(at + marker.Length, 32);
        Assert.Contains(traceId, traceIds);
        Assert.Contains(Samples(text, "traces_span_metrics_duration_seconds_bucket"), l => l.Contains("# {trace_id=\"", StringComparison.Ordinal));

        using var trace = await server.Query.GetAsync(new Uri(server.QueryEndpoint, $"/api/traces/{traceId}"));
        Assert.Equal(HttpStatusCode.OK, trace.StatusCode);
        using var json = JsonDocument.Parse(await trace.Content.ReadAsStringAsync());
        Assert.Equal(traceId, Assert.Single(json.RootElement.GetProperty("data").EnumerateArray()).GetProperty("traceID").GetString());

        var plain = await ScrapeAsync(server, openMetrics: false);
        Assert.DoesNotContain("trace_id", plain, StringComparison.Ordinal);
        Assert.DoesNotContain("# EOF", plain, StringComparison.Ordinal);
    }

    /// <summary>
    /// <see cref="Requests"/> checkouts: frontend's server span calls payments (a client span, then
    /// payments' server span), which queries a database; the second payment fails. Returns the trace ids.
    /// </summary>
    private static List<string> ExportShopTraffic(LoopbackServer server)
    {
        var suffix = Guid.NewGuid().ToString("N");
        using var frontendSource = new ActivitySource("frontend." + suffix);
        using var paymentsSource = new ActivitySource("payments." + suffix);
        var frontend = SdkProviders.ForService("frontend", frontendSource.Name, server.GrpcEndpoint);
        var payments = SdkProviders.ForService("payments", paymentsSource.Name, server.GrpcEndpoint);
        var traceIds = new List<string>();
        try
        {
            for (var i = 0; i < Requests; i++)
            {
                using var root = frontendSource.StartActivity("GET /checkout", ActivityKind.Server, default(ActivityContext))!;
                traceIds.Add(root.TraceId.ToHexString());
                using (var client = frontendSource.StartActivity("POST /pay", ActivityKind.Client)!)
                {
                    client.SetTag("server.address", "payments");
                    using var serverSpan = paymentsSource.StartActivity("POST /pay", ActivityKind.Server, client.Context)!;
                    using (var query = paymentsSource.StartActivity("SELECT orders", ActivityKind.Client)!)
                    {
                        query.SetTag("db.system", "postgresql");
                        query.SetTag("db.name", "orders_db");
                    }

                    if (i == FailingRequest)
                    {
                        serverSpan.SetStatus(ActivityStatusCode.Error, "card declined");
                    }
                }
            }

            // Payments first: its server spans wait for the frontend's client spans in another batch.
            SdkDelivery.Complete(payments, "the payments export");
            SdkDelivery.Complete(frontend, "the frontend export");
        }
        finally
        {
            frontend.Dispose();
            payments.Dispose();
        }

        return traceIds;
    }

    private static async Task<string> ScrapeAsync(LoopbackServer server, bool openMetrics)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.QueryEndpoint, "/metrics"));
        if (openMetrics)
        {
            request.Headers.Accept.ParseAdd("application/openmetrics-text");
        }

        using var response = await server.Query.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static List<string> Samples(string text, string name) =>
        [.. text.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal))];

    private static double? Value(string text, string series)
    {
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        var value = line[(series.Length + 1)..];
        var hash = value.IndexOf(" #", StringComparison.Ordinal);
        return double.Parse(hash < 0 ? value : value[..hash], CultureInfo.InvariantCulture);
    }
}
