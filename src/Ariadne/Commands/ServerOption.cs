using System.CommandLine;

namespace Ariadne.Cli.Commands;

/// <summary>The <c>--server</c> option the client commands share: a running server's query endpoint.</summary>
internal static class ServerOption
{
    public const string Default = "http://localhost:16686";

    public static Option<string> Create()
    {
        var server = new Option<string>("--server")
        {
            Description = "The server's query endpoint.",
            DefaultValueFactory = _ => Default,
        };
        server.Validators.Add(result =>
        {
            if (!Uri.TryCreate(result.GetValueOrDefault<string>(), UriKind.Absolute, out _))
            {
                result.AddError("--server must be an absolute URL such as http://localhost:16686");
            }
        });
        return server;
    }

    /// <summary><c>--key</c>: a read key for a server with <c>auth.query.keys</c>; <c>ARIADNE_API_KEY</c> by default.</summary>
    public static Option<string?> CreateKey() => new("--key")
    {
        Description = "The read key, sent as 'Authorization: Bearer <key>' (default: the ARIADNE_API_KEY environment variable).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ARIADNE_API_KEY"),
    };

    /// <summary><c>--tenant</c>: the X-Scope-OrgID of a multi-tenant server; <c>ARIADNE_TENANT</c> by default.</summary>
    public static Option<string?> CreateTenant() => new("--tenant")
    {
        Description = "The tenant, sent as X-Scope-OrgID when the server has multitenancy_enabled (default: the ARIADNE_TENANT environment variable).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ARIADNE_TENANT"),
    };

    /// <summary>An HTTP client that sends the key and the tenant, when given, with every request.</summary>
    public static HttpClient CreateClient(string? key, string? tenant, TimeSpan timeout)
    {
        var client = new HttpClient { Timeout = timeout };
        if (!string.IsNullOrEmpty(key))
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        if (!string.IsNullOrEmpty(tenant))
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("X-Scope-OrgID", tenant);
        }

        return client;
    }

    /// <summary>GETs <paramref name="path"/>; on failure prints why and returns null.</summary>
    public static async Task<string?> GetAsync(string server, string? key, string? tenant, string path, CancellationToken cancellationToken)
    {
        using var client = CreateClient(key, tenant, TimeSpan.FromMinutes(2));
        try
        {
            using var response = await client.GetAsync(new Uri(new Uri(server), path), cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                await Console.Error.WriteLineAsync($"ariadne: {(int)response.StatusCode} {response.ReasonPhrase}: {ErrorText(body)}");
                return null;
            }

            return body;
        }
        catch (HttpRequestException e)
        {
            await Console.Error.WriteLineAsync($"ariadne: cannot reach {server}: {e.Message}");
            return null;
        }
    }

    /// <summary>The message of a JSON error envelope (Jaeger's v3 or v1), or the body as it is.</summary>
    private static string ErrorText(string body)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var message))
            {
                return message.GetString() ?? body.Trim();
            }

            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == System.Text.Json.JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                return errors[0].GetProperty("msg").GetString() ?? body.Trim();
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return body.Trim();
    }
}
