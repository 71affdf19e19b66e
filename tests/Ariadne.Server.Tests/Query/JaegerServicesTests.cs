using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Query;

public sealed class JaegerServicesTests
{
    [Fact]
    public async Task ServicesAndOperations_ComeFromTheHeadAndFromBlocks()
    {
        await using var server = await LoopbackServer.StartAsync();
        await PostAsync(server, "checkout", OtlpRequests.Trace(3));
        await PostAsync(server, "payments", OtlpRequests.Trace(1));

        await AssertListsAsync(server);
        using (var flushed = await server.Query.PostAsync(new Uri(server.QueryEndpoint, "/api/admin/flush"), null))
        {
            Assert.Equal(HttpStatusCode.OK, flushed.StatusCode);
        }

        // The same answers once the spans live only in a block.
        await AssertListsAsync(server);
    }

    [Fact]
    public async Task Operations_WithoutService_Is400InTheEnvelope()
    {
        await using var server = await LoopbackServer.StartAsync();
        using var response = await server.Query.GetAsync(new Uri(server.QueryEndpoint, "/api/operations"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(400, body.RootElement.GetProperty("errors")[0].GetProperty("code").GetInt32());
    }

    private static async Task AssertListsAsync(LoopbackServer server)
    {
        Assert.Equal(["checkout", "payments"], await DataAsync(server, "/api/services"));
        Assert.Equal(["child 1", "child 2", "root"], await DataAsync(server, "/api/services/checkout/operations"));
        Assert.Equal(["root"], await DataAsync(server, "/api/services/payments/operations"));
        Assert.Empty(await DataAsync(server, "/api/services/nobody/operations"));

        using var response = await server.Query.GetAsync(new Uri(server.QueryEndpoint, "/api/operations?service=checkout&spanKind=server"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var pairs = body.RootElement.GetProperty("data").EnumerateArray()
            .Select(o => $"{o.GetProperty("name").GetString()}/{o.GetProperty("spanKind").GetString()}").ToArray();
        Assert.Equal(["child 1/server", "child 2/server", "root/server"], pairs);
        Assert.Equal(3, body.RootElement.GetProperty("total").GetInt32());

        using var none = await server.Query.GetAsync(new Uri(server.QueryEndpoint, "/api/operations?service=checkout&spanKind=client"));
        using var noneBody = JsonDocument.Parse(await none.Content.ReadAsStringAsync());
        Assert.Equal(0, noneBody.RootElement.GetProperty("data").GetArrayLength());
    }

    private static async Task<string[]> DataAsync(LoopbackServer server, string path)
    {
        using var response = await server.Query.GetAsync(new Uri(server.QueryEndpoint, path));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("errors").ValueKind);
        return body.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetString()!).ToArray();
    }

    private static async Task PostAsync(LoopbackServer server, string service, List<TestSpan> spans)
    {
        using var response = await server.PostTracesAsync(System.Text.Encoding.UTF8.GetBytes(OtlpRequests.Json(service, spans)), "application/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
