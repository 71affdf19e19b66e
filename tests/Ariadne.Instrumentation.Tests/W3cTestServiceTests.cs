using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ariadne.Instrumentation.Tests;

/// <summary>
/// The W3C test service under the test suite's contract: a harness on loopback posts cases to
/// <c>/test</c> and records the headers the service's calls back carry.
/// </summary>
[Collection("propagator")]
public sealed class W3cTestServiceTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ParentId = "00f067aa0ba902b7";

    [Fact]
    public async Task Service_PropagatesValidContext_RestartsOnInvalid_AsTheSuiteExpects()
    {
        var harnessPort = FreePort();
        var servicePort = FreePort();
        var received = new ConcurrentDictionary<string, (string? TraceParent, string? TraceState)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{harnessPort}");
        await using var harness = builder.Build();
        harness.MapPost("/callback/{name}", (string name, HttpContext context) =>
        {
            received[name] = (context.Request.Headers["traceparent"].FirstOrDefault(), context.Request.Headers["tracestate"].FirstOrDefault());
            return Results.Ok();
        });
        await harness.StartAsync();

        await using var service = W3cTestService.Program.Build(["--urls", $"http://127.0.0.1:{servicePort}"]);
        await service.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null });

        async Task RunAsync(string name, string? traceParent, string? traceState)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{servicePort}/test")
            {
                Content = new StringContent($$"""[{"url":"http://127.0.0.1:{{harnessPort}}/callback/{{name}}","arguments":[]}]""", Encoding.UTF8, "application/json"),
            };
            if (traceParent is not null)
            {
                request.Headers.TryAddWithoutValidation("traceparent", traceParent);
            }

            if (traceState is not null)
            {
                request.Headers.TryAddWithoutValidation("tracestate", traceState);
            }

            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await RunAsync("valid", $"00-{TraceId}-{ParentId}-01", "foo=1,bar=2");
        await RunAsync("uppercase", $"00-{TraceId.ToUpperInvariant()}-{ParentId}-01", "foo=1");
        await RunAsync("future", $"cc-{TraceId}-{ParentId}-01-what-the-future-will-be-like", null);
        await RunAsync("badstate", $"00-{TraceId}-{ParentId}-00", "foo=1,foo=2");
        await RunAsync("none", null, null);
        await service.StopAsync();

        var valid = received["valid"];
        Assert.StartsWith($"00-{TraceId}-", valid.TraceParent, StringComparison.Ordinal);
        Assert.DoesNotContain(ParentId, valid.TraceParent, StringComparison.Ordinal); // the service's own span is the new parent
        Assert.EndsWith("-01", valid.TraceParent, StringComparison.Ordinal);
        Assert.Equal("foo=1,bar=2", valid.TraceState);

        Assert.DoesNotContain(TraceId, received["uppercase"].TraceParent, StringComparison.Ordinal);
        Assert.Null(received["uppercase"].TraceState);
        Assert.StartsWith($"00-{TraceId}-", received["future"].TraceParent, StringComparison.Ordinal);
        Assert.StartsWith($"00-{TraceId}-", received["badstate"].TraceParent, StringComparison.Ordinal);
        Assert.EndsWith("-00", received["badstate"].TraceParent, StringComparison.Ordinal); // not sampled stays not sampled
        Assert.Null(received["badstate"].TraceState);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", received["none"].TraceParent!);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
