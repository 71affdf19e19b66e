using System.Net;
using System.Text.Json;
using Ariadne.Server.Tests.EndToEnd;
using Ariadne.Server.Tests.Infrastructure;
using OpenTelemetry.Exporter;

namespace Ariadne.Server.Tests.Query;

/// <summary>Jaeger's api_v3 HTTP shapes: services, operations, a trace by id and trace search, over SDK-exported traces.</summary>
public sealed class JaegerV3Tests
{
    [Fact]
    public async Task ServicesOperationsTraceAndSearch_AnswerInJaegersV3Shapes()
    {
        await using var server = await LoopbackServer.StartAsync();
        var spans = OpenTelemetrySdkTests.ExportCheckoutTrace(server, OtlpExportProtocol.Grpc);
        var traceId = spans[0].TraceId.ToHexString();

        for (var round = 0; round < 2; round++)
        {
            var services = await GetAsync(server, "/api/v3/services", HttpStatusCode.OK);
            Assert.Equal(["frontend", "payments"], services.GetProperty("services").EnumerateArray().Select(e => e.GetString()!).ToArray());

            var operations = await GetAsync(server, "/api/v3/operations?service=payments&span_kind=server", HttpStatusCode.OK);
            var operation = Assert.Single(operations.GetProperty("operations").EnumerateArray());
            Assert.Equal("POST /pay", operation.GetProperty("name").GetString());
            Assert.Equal("server", operation.GetProperty("spanKind").GetString());
            var all = await GetAsync(server, "/api/v3/operations?service=payments", HttpStatusCode.OK);
            Assert.Equal(4, all.GetProperty("operations").GetArrayLength());

            var trace = await GetAsync(server, $"/api/v3/traces/{traceId}", HttpStatusCode.OK);
            Assert.Equal(spans.Count, SpanIds(trace).Count);

            var now = DateTimeOffset.UtcNow;
            var window = $"&query.start_time_min={Uri.EscapeDataString(now.AddMinutes(-10).ToString("O"))}&query.start_time_max={Uri.EscapeDataString(now.AddMinutes(1).ToString("O"))}";
            var found = await GetAsync(server, "/api/v3/traces?query.service_name=payments&query.operation_name=charge%20card" + window, HttpStatusCode.OK);
            Assert.Equal(spans.Select(s => s.SpanId.ToHexString()).Order(StringComparer.Ordinal), SpanIds(found).Order(StringComparer.Ordinal));
            var byAttribute = await GetAsync(server, "/api/v3/traces?query.attributes=" + Uri.EscapeDataString("{\"http.response.status_code\":\"200\"}") + "&query.duration_min=0.000001s", HttpStatusCode.OK);
            Assert.Equal(spans.Count, SpanIds(byAttribute).Count);

            var none = await GetAsync(server, "/api/v3/traces?query.service_name=payments&query.duration_min=1h", HttpStatusCode.NotFound);
            Assert.Equal(404, none.GetProperty("error").GetProperty("httpCode").GetInt32());
            var past = await GetAsync(server, "/api/v3/traces?query.service_name=payments&query.start_time_min=2001-01-01T00:00:00Z&query.start_time_max=2001-01-02T00:00:00Z", HttpStatusCode.NotFound);
            Assert.Equal("No traces found", past.GetProperty("error").GetProperty("message").GetString());

            using var flushed = await server.Query.PostAsync(new Uri(server.QueryEndpoint, "/api/admin/flush"), null);
            Assert.Equal(HttpStatusCode.OK, flushed.StatusCode);
        }

        var missing = await GetAsync(server, "/api/v3/traces/0000000000000000000000000000beef", HttpStatusCode.NotFound);
        Assert.Equal(5, missing.GetProperty("error").GetProperty("grpcCode").GetInt32());
        Assert.Equal("trace not found", missing.GetProperty("error").GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("/api/v3/operations", "parameter 'service' is required")]
    [InlineData("/api/v3/traces/xyz", "malformed trace id 'xyz'")]
    [InlineData("/api/v3/traces?query.start_time_min=yesterday", "'query.start_time_min' must be an RFC 3339 time")]
    [InlineData("/api/v3/traces?query.start_time_min=2026-01-02T00:00:00Z&query.start_time_max=2026-01-01T00:00:00Z", "'query.start_time_min' must not be after")]
    [InlineData("/api/v3/traces?query.duration_min=long", "'query.duration_min' must be a duration")]
    [InlineData("/api/v3/traces?query.attributes=%5B%5D", "'query.attributes' must be a JSON object")]
    [InlineData("/api/v3/traces?query.search_depth=-3", "'query.search_depth' must be a non-negative integer")]
    public async Task BadRequests_Are400InTheGatewayErrorShape(string path, string message)
    {
        await using var server = await LoopbackServer.StartAsync();
        var body = await GetAsync(server, path, HttpStatusCode.BadRequest);
        var error = body.GetProperty("error");
        Assert.Equal(400, error.GetProperty("httpCode").GetInt32());
        Assert.Equal(3, error.GetProperty("grpcCode").GetInt32());
        Assert.StartsWith(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static List<string> SpanIds(JsonElement body)
    {
        var ids = new List<string>();
        foreach (var rs in body.GetProperty("result").GetProperty("resourceSpans").EnumerateArray())
        {
            foreach (var ss in rs.GetProperty("scopeSpans").EnumerateArray())
            {
                ids.AddRange(ss.GetProperty("spans").EnumerateArray().Select(s => s.GetProperty("spanId").GetString()!));
            }
        }

        return ids;
    }

    private static async Task<JsonElement> GetAsync(LoopbackServer server, string path, HttpStatusCode expected)
    {
        using var response = await server.Query.GetAsync(new Uri(server.QueryEndpoint, path));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
