using System.Net;
using System.Text.Json;
using Ariadne.Server.Tests.EndToEnd;
using Ariadne.Server.Tests.Infrastructure;
using OpenTelemetry.Exporter;

namespace Ariadne.Server.Tests.Query;

/// <summary>Jaeger's trace search over traces the OpenTelemetry SDK exported, in the head and then in blocks.</summary>
public sealed class JaegerSearchTests
{
    [Fact]
    public async Task Search_ServiceOperationTagsDurationAndTime_FindTheTracesInHeadAndBlocks()
    {
        await using var server = await LoopbackServer.StartAsync();
        var first = OpenTelemetrySdkTests.ExportCheckoutTrace(server, OtlpExportProtocol.HttpProtobuf)[0].TraceId.ToHexString();
        var second = OpenTelemetrySdkTests.ExportCheckoutTrace(server, OtlpExportProtocol.Grpc)[0].TraceId.ToHexString();
        string[] both = [first, second];
        Array.Sort(both, StringComparer.Ordinal);

        for (var round = 0; round < 2; round++)
        {
            Assert.Equal(both, await TraceIdsAsync(server, "/api/traces?service=payments&operation=charge%20card"));
            Assert.Equal(both, await TraceIdsAsync(server, "/api/traces?service=payments&tags=%7B%22payment.amount%22%3A%2212.5%22%7D"));
            Assert.Equal(both, await TraceIdsAsync(server, "/api/traces?service=frontend&tag=http.response.status_code:200&tag=http.request.method:GET"));
            Assert.Empty(await TraceIdsAsync(server, "/api/traces?service=payments&tag=payment.amount:99"));
            Assert.Empty(await TraceIdsAsync(server, "/api/traces?service=frontend&operation=charge%20card"));
            Assert.Empty(await TraceIdsAsync(server, "/api/traces?service=payments&minDuration=1h"));
            Assert.Equal(both, await TraceIdsAsync(server, "/api/traces?service=payments&maxDuration=1h&minDuration=0ms"));
            Assert.Single(await TraceIdsAsync(server, "/api/traces?service=payments&limit=1"));
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
            Assert.Equal(both, await TraceIdsAsync(server, $"/api/traces?service=payments&start={now - 600_000_000}&end={now + 60_000_000}"));
            Assert.Empty(await TraceIdsAsync(server, $"/api/traces?service=payments&start={now - 7_200_000_000L - 600_000_000}&end={now - 7_200_000_000L}"));
            Assert.Equal([first], await TraceIdsAsync(server, $"/api/traces?traceID={first}&traceID=0000000000000000000000000000beef"));

            using var flushed = await server.Query.PostAsync(new Uri(server.QueryEndpoint, "/api/admin/flush"), null);
            Assert.Equal(HttpStatusCode.OK, flushed.StatusCode);
        }
    }

    [Theory]
    [InlineData("/api/traces", "parameter 'service' is required")]
    [InlineData("/api/traces?service=a&minDuration=fast", "'minDuration' must be a duration")]
    [InlineData("/api/traces?service=a&minDuration=2s&maxDuration=1s", "'minDuration' must not be greater than 'maxDuration'")]
    [InlineData("/api/traces?service=a&tags=%5B1%5D", "'tags' must be a JSON object")]
    [InlineData("/api/traces?service=a&tags=%7Bnope", "'tags' is not valid JSON")]
    [InlineData("/api/traces?service=a&tag=novalue", "'tag' must be key:value")]
    [InlineData("/api/traces?service=a&limit=-1", "'limit' must be a non-negative integer")]
    [InlineData("/api/traces?service=a&start=yesterday", "'start' must be microseconds")]
    [InlineData("/api/traces?service=a&start=20&end=10", "'start' must not be after 'end'")]
    [InlineData("/api/traces?traceID=xyz", "malformed trace id 'xyz'")]
    public async Task Search_BadParameters_Are400WithTheReasonInJaegersEnvelope(string path, string message)
    {
        await using var server = await LoopbackServer.StartAsync();
        using var response = await server.Query.GetAsync(new Uri(server.QueryEndpoint, path));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("errors")[0];
        Assert.Equal(400, error.GetProperty("code").GetInt32());
        Assert.StartsWith(message, error.GetProperty("msg").GetString(), StringComparison.Ordinal);
    }

    private static async Task<string[]> TraceIdsAsync(LoopbackServer server, string path)
    {
        using var response = await server.Query.GetAsync(new Uri(server.QueryEndpoint, path));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var body = JsonDocument.Parse(text);
        var ids = body.RootElement.GetProperty("data").EnumerateArray()
            .Select(t => t.GetProperty("traceID").GetString()!)
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(ids.Length, body.RootElement.GetProperty("total").GetInt32());
        return ids;
    }
}
