using System.Net;
using Ariadne.Cli.Demo;
using Ariadne.Server.Tests.Tenancy;

namespace Ariadne.Server.Tests.Security;

/// <summary>The demo shop sends its key and tenant, so <c>serve --demo</c> still works on a server with keys and tenants.</summary>
public sealed class DemoWithKeysTests
{
    [Fact]
    public async Task DemoShop_WithTheIngestKeyAndATenant_IsStoredInThatTenant()
    {
        await using var server = await TenantServer.StartAsync();
        await using (var shop = await DemoShop.StartAsync(server.GrpcEndpoint, requestsPerSecond: 20, headers: $"x-api-key={TenantServer.IngestAny},x-scope-orgid=demo"))
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
        }

        var (status, body) = await TenantServer.GetAsync(server, new Uri(server.QueryEndpoint, "/api/services"), TenantServer.QueryAny, "demo");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"gateway\"", body, StringComparison.Ordinal);
        (_, body) = await TenantServer.GetAsync(server, new Uri(server.QueryEndpoint, "/api/services"), TenantServer.QueryAny, "other");
        Assert.DoesNotContain("gateway", body, StringComparison.Ordinal);
    }
}
