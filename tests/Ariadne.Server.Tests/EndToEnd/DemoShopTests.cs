using System.Text.Json;
using Ariadne.Cli.Demo;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.EndToEnd;

/// <summary>The demo shop against a real server: seven services, cross-service traces, the queue hop, and faults.</summary>
public sealed class DemoShopTests
{
    [Fact]
    public async Task DemoShop_FillsAriadneWithRealisticTraces_WithinSeconds()
    {
        await using var server = await LoopbackServer.StartAsync();
        await using (var shop = await DemoShop.StartAsync(server.GrpcEndpoint, requestsPerSecond: 20))
        {
            await Task.Delay(TimeSpan.FromSeconds(4));
            Assert.True(shop.Requests > 20, $"{shop.Requests} checkouts");
        }

        using var services = JsonDocument.Parse(await server.Query.GetStringAsync(new Uri(server.QueryEndpoint, "/api/services")));
        var names = services.RootElement.GetProperty("data").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.All(DemoShop.Services, s => Assert.Contains(s, names));

        async Task<JsonElement> SearchAsync(string traceQL)
        {
            var text = await server.Query.GetStringAsync(new Uri(server.TempoEndpoint, "/api/search?limit=50&q=" + Uri.EscapeDataString(traceQL)));
            return JsonDocument.Parse(text).RootElement.GetProperty("traces");
        }

        // A checkout crosses the services over HTTP and reaches notifications through the queue.
        var checkouts = await SearchAsync("{ resource.service.name = \"orders\" } >> { resource.service.name = \"notifications\" && kind = consumer }");
        Assert.True(checkouts.GetArrayLength() > 0);
        var traceId = checkouts[0].GetProperty("traceID").GetString();
        Assert.Equal("gateway", checkouts[0].GetProperty("rootServiceName").GetString());
        Assert.Equal("POST /checkout", checkouts[0].GetProperty("rootTraceName").GetString());

        using var trace = JsonDocument.Parse(await server.Query.GetStringAsync(new Uri(server.QueryEndpoint, $"/api/traces/{traceId}")));
        var processes = trace.RootElement.GetProperty("data")[0].GetProperty("processes").EnumerateObject()
            .Select(p => p.Value.GetProperty("serviceName").GetString()).Distinct().ToList();
        Assert.Superset(new HashSet<string?> { "gateway", "auth", "cart", "catalog", "payments", "orders", "notifications" }, processes.ToHashSet());
        Assert.Equal(7, processes.Count);

        // Faults: payments fail (retried 503s, declined cards) and databases are queried.
        Assert.True((await SearchAsync("{ resource.service.name = \"payments\" && status = error }")).GetArrayLength() > 0);
        Assert.True((await SearchAsync("{ span.db.system = \"postgresql\" && kind = client }")).GetArrayLength() > 0);
    }
}
