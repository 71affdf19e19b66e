using System.Net;
using System.Text.Json;
using Ariadne.Server.Tests.EndToEnd;
using Ariadne.Server.Tests.Infrastructure;
using OpenTelemetry.Exporter;

namespace Ariadne.Server.Tests.Query;

/// <summary>Tempo's tag autocomplete over SDK-exported traces, from the head and then from blocks.</summary>
public sealed class TempoTagsTests
{
    [Fact]
    public async Task TagNamesAndValues_ComeFromHeadAndBlocks()
    {
        await using var server = await LoopbackServer.StartAsync();
        OpenTelemetrySdkTests.ExportCheckoutTrace(server, OtlpExportProtocol.HttpProtobuf);

        for (var round = 0; round < 2; round++)
        {
            var all = await GetAsync(server, "/api/search/tags");
            var names = all.GetProperty("tagNames").EnumerateArray().Select(e => e.GetString()).ToList();
            Assert.Contains("http.request.method", names);
            Assert.Contains("payment.amount", names);
            Assert.Contains("service.name", names);
            Assert.DoesNotContain("duration", names);
            var intrinsic = await GetAsync(server, "/api/search/tags?scope=intrinsic");
            Assert.Contains("traceDuration", intrinsic.GetProperty("tagNames").EnumerateArray().Select(e => e.GetString()));

            var v2 = await GetAsync(server, "/api/v2/search/tags");
            var scopes = v2.GetProperty("scopes").EnumerateArray().ToDictionary(
                s => s.GetProperty("name").GetString()!,
                s => s.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList());
            Assert.Equal(["intrinsic", "resource", "span"], scopes.Keys.Order());
            Assert.Contains("http.response.status_code", scopes["span"]);
            Assert.DoesNotContain("service.name", scopes["span"]);
            Assert.Contains("service.name", scopes["resource"]);
            var onlyResource = await GetAsync(server, "/api/v2/search/tags?scope=resource");
            Assert.Single(onlyResource.GetProperty("scopes").EnumerateArray());

            Assert.Equal(["string:frontend", "string:payments"], await ValuesV2Async(server, "resource.service.name"));
            Assert.Equal(["int:200"], await ValuesV2Async(server, "span.http.response.status_code"));
            Assert.Equal(["float:12.5"], await ValuesV2Async(server, ".payment.amount"));
            Assert.Empty(await ValuesV2Async(server, "resource.payment.amount"));
            Assert.Equal(["keyword:error", "keyword:ok", "keyword:unset"], await ValuesV2Async(server, "status"));
            Assert.Contains("string:charge card", await ValuesV2Async(server, "name"));

            // q narrows the values to the spans the query (as typed so far) selects.
            Assert.Equal(["string:GET /checkout", "string:POST /pay"], await ValuesV2Async(server, "name", Uri.EscapeDataString("{ resource.service.name = \"frontend\" }")));
            Assert.Equal(["string:payments"], await ValuesV2Async(server, "resource.service.name", Uri.EscapeDataString("{ status = error }")));
            Assert.Equal(["keyword:error"], await ValuesV2Async(server, "status", Uri.EscapeDataString("{ name = \"charge card\" }")));
            Assert.Equal(["string:frontend", "string:payments"], await ValuesV2Async(server, "resource.service.name", Uri.EscapeDataString("{ status = ")));
            var narrowedV1 = await GetAsync(server, "/api/search/tag/service.name/values?q=" + Uri.EscapeDataString("{ kind = client }"));
            Assert.Equal(["frontend"], narrowedV1.GetProperty("tagValues").EnumerateArray().Select(e => e.GetString()!).ToArray());

            var v1 = await GetAsync(server, "/api/search/tag/service.name/values");
            Assert.Equal(["frontend", "payments"], v1.GetProperty("tagValues").EnumerateArray().Select(e => e.GetString()!).ToArray());

            using var flushed = await server.Query.PostAsync(new Uri(server.QueryEndpoint, "/api/admin/flush"), null);
            Assert.Equal(HttpStatusCode.OK, flushed.StatusCode);
        }

        var past = await GetAsync(server, "/api/v2/search/tag/resource.service.name/values?start=1000&end=2000");
        Assert.Equal(0, past.GetProperty("tagValues").GetArrayLength());
    }

    [Theory]
    [InlineData("/api/search/tags?scope=links", "unknown scope 'links'")]
    [InlineData("/api/v2/search/tag/http.route/values", "unknown tag 'http.route'")]
    [InlineData("/api/v2/search/tags?start=soon", "'start' must be Unix seconds")]
    public async Task BadRequests_Are400WithTheReason(string path, string message)
    {
        await using var server = await LoopbackServer.StartAsync();
        using var response = await server.Query.GetAsync(new Uri(server.TempoEndpoint, path));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<string[]> ValuesV2Async(LoopbackServer server, string name, string? q = null)
    {
        var body = await GetAsync(server, $"/api/v2/search/tag/{name}/values" + (q is null ? string.Empty : "?q=" + q));
        return body.GetProperty("tagValues").EnumerateArray()
            .Select(v => $"{v.GetProperty("type").GetString()}:{v.GetProperty("value").GetString()}")
            .ToArray();
    }

    private static async Task<JsonElement> GetAsync(LoopbackServer server, string path)
    {
        using var response = await server.Query.GetAsync(new Uri(server.TempoEndpoint, path));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
