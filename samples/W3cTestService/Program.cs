using System.Net.Http.Json;
using System.Text.Json;
using Ariadne.Instrumentation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace W3cTestService;

/// <summary>
/// The service the W3C trace-context test suite drives: <c>POST /test</c> with
/// <c>[{"url": …, "arguments": […]}]</c> makes the service call each url with its arguments as the body,
/// propagating the trace context it received (through Ariadne.Instrumentation's strict propagator).
/// </summary>
public static class Program
{
    public static async Task Main(string[] args)
    {
        await using var app = Build(args);
        await app.RunAsync();
    }

    /// <summary>The app, with <c>--urls</c> from the arguments (for tests, too).</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.AddAriadneTracing(o =>
        {
            o.ServiceName = "w3c-test-service";
            o.ExportOtlp = Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is not null;
        });
        builder.Services.AddHttpClient();
        var app = builder.Build();
        app.UseAriadneTracing();
        app.MapPost("/test", async (HttpContext context, IHttpClientFactory clients) =>
        {
            var cases = await JsonSerializer.DeserializeAsync<List<TestCase>>(context.Request.Body, JsonOptions) ?? [];
            using var client = clients.CreateClient();
            foreach (var test in cases)
            {
                using var response = await client.PostAsJsonAsync(test.Url, test.Arguments);
            }

            return Results.Ok();
        });
        return app;
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed record TestCase(Uri Url, JsonElement Arguments);
}
