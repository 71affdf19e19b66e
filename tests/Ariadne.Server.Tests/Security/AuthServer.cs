using Ariadne.Server.Configuration;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Security;

/// <summary>Loopback servers with keys configured the way a file would configure them.</summary>
internal static class AuthServer
{
    public const string IngestPrimary = "ingest-primary-7f3a";
    public const string IngestSecondary = "ingest-secondary-91bc";
    public const string QueryPrimary = "query-primary-2d4e";
    public const string QuerySecondary = "query-secondary-c08f";

    public static Task<LoopbackServer> StartAsync(string? dataDirectory = null, Action<AriadneOptions>? configure = null) =>
        LoopbackServer.StartAsync(dataDirectory, options =>
        {
            options.Auth.Ingest.Keys = [new() { Key = IngestPrimary }, new() { Key = IngestSecondary }];
            options.Auth.Query.Keys = [new() { Key = QueryPrimary }, new() { Key = QuerySecondary }];
            configure?.Invoke(options);
        });

    public static HttpRequestMessage Get(Uri uri, string? key = null, string? tenant = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (key is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        if (tenant is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Scope-OrgID", tenant);
        }

        return request;
    }
}
