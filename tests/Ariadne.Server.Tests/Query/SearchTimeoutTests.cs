using System.Net;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Query;

/// <summary>A search that runs past query.search_timeout is stopped and answered 504 by every search API, and the server goes on serving.</summary>
public sealed class SearchTimeoutTests
{
    [Fact]
    public async Task SearchPastTheTimeout_Is504OnTempoAndJaeger_AndTheServerGoesOn()
    {
        await using var server = await LoopbackServer.StartAsync(configure: o => o.Query.SearchTimeout = TimeSpan.FromMilliseconds(1));
        // Enough spans that a search that must look at them all (nothing matches) cannot finish within the timeout.
        var traces = Enumerable.Range(0, 20_000).Select(_ => OtlpRequests.Trace(10)).ToList();
        foreach (var chunk in traces.Chunk(500))
        {
            using var response = await server.PostTracesAsync(OtlpRequests.Protobuf("slow", chunk.SelectMany(t => t)));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var tempo = await server.Query.GetAsync(new Uri(server.TempoEndpoint, "/api/search?q=" + Uri.EscapeDataString("{ span.test.index = 8 }") + "&limit=1000")))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, tempo.StatusCode);
            Assert.Contains("the query ran longer than 0.001 s", await tempo.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var jaeger = await server.Query.GetAsync(new Uri(server.QueryEndpoint, "/api/traces?service=slow&operation=nothing&limit=1000")))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, jaeger.StatusCode);
        }

        using (var v3 = await server.Query.GetAsync(new Uri(server.QueryEndpoint, "/api/v3/traces?query.service_name=slow&query.operation_name=nothing&query.num_traces=1000")))
        {
            Assert.Equal(HttpStatusCode.GatewayTimeout, v3.StatusCode);
        }

        // Lookups by id do not search, and the server is still well.
        using var byId = await server.Query.GetAsync(new Uri(server.QueryEndpoint, $"/api/traces/{traces[0][0].TraceId}"));
        Assert.Equal(HttpStatusCode.OK, byId.StatusCode);
    }
}
