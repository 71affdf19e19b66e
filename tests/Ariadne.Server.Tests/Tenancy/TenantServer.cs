using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Tenancy;

/// <summary>Multi-tenant loopback servers: unbound keys that name a tenant per request, and keys bound to tenant "a".</summary>
internal static class TenantServer
{
    public const string IngestAny = "ingest-any-5e1d";
    public const string IngestA = "ingest-bound-a-77c2";
    public const string QueryAny = "query-any-0b9a";
    public const string QueryA = "query-bound-a-d3f1";

    public static Task<LoopbackServer> StartAsync(string? dataDirectory = null, Action<Ariadne.Server.Configuration.AriadneOptions>? configure = null) =>
        LoopbackServer.StartAsync(dataDirectory, options =>
        {
            options.MultitenancyEnabled = true;
            options.Auth.Ingest.Keys = [new() { Key = IngestAny }, new() { Key = IngestA, Tenant = "a" }];
            options.Auth.Query.Keys = [new() { Key = QueryAny }, new() { Key = QueryA, Tenant = "a" }];
            configure?.Invoke(options);
        });

    /// <summary>POSTs an OTLP/HTTP protobuf export with the given key and tenant header (either may be absent).</summary>
    public static async Task<HttpResponseMessage> PostAsync(LoopbackServer server, byte[] body, string? key, string? tenant)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.HttpEndpoint, "/v1/traces")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", key);
        }

        if (tenant is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Scope-OrgID", tenant);
        }

        return await server.Query.SendAsync(request);
    }

    public static async Task<(System.Net.HttpStatusCode Status, string Body)> GetAsync(LoopbackServer server, Uri uri, string key, string? tenant)
    {
        using var request = Security.AuthServer.Get(uri, key, tenant);
        using var response = await server.Query.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static byte[] Trace(string traceId, string service, string operation, int spans = 1)
    {
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000UL;
        var list = new List<TestSpan>();
        for (var i = 0; i < spans; i++)
        {
            list.Add(new TestSpan(traceId, (0x1000 + i).ToString("x16", System.Globalization.CultureInfo.InvariantCulture), operation, now - 5_000_000, now, i == 0 ? string.Empty : 0x1000.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)));
        }

        return OtlpRequests.Protobuf(service, list);
    }
}
