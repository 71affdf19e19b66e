using System.Net;
using System.Text.Json;
using Ariadne.Instrumentation;
using Ariadne.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;

namespace Ariadne.Server.Tests.EndToEnd;

/// <summary>An app set up with Ariadne.Instrumentation exports its spans to a running Ariadne over OTLP, flushed when the host stops.</summary>
public sealed class InstrumentationExportTests
{
    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task AppWithAddAriadneTracing_ServerSpansArriveNamedAndAttributed(OtlpExportProtocol protocol)
    {
        await using var ariadne = await LoopbackServer.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(BoundAddress.AnyPort);
        builder.Services.AddAriadneTracing(o =>
        {
            o.ServiceName = "catalog";
            o.ServiceVersion = "2.1.0";
            o.DeploymentEnvironment = "test";
            o.Protocol = protocol;
            o.Endpoint = protocol == OtlpExportProtocol.Grpc ? ariadne.GrpcEndpoint : new Uri(ariadne.HttpEndpoint, "/v1/traces");
        });
        var app = builder.Build();
        app.UseAriadneTracing();
        app.MapGet("/items/{id}", (string id) => Results.Ok(id));
        await app.StartAsync();
        var port = BoundAddress.Port(app);

        using var client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null });
        // A path of its own: ASP.NET Core apps of other tests in this process emit on the same activity source.
        var item = Guid.NewGuid().ToString("N");
        using (var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/items/{item}")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Stopping the host flushes the batch exporter.
        await app.StopAsync();
        await app.DisposeAsync();

        using var search = await ariadne.Query.GetAsync(new Uri(ariadne.TempoEndpoint, "/api/search?q=" + Uri.EscapeDataString("{ resource.service.name = \"catalog\" && span.http.route = \"/items/{id}\" && span.url.path = \"/items/" + item + "\" }")));
        using var json = JsonDocument.Parse(await search.Content.ReadAsStringAsync());
        var trace = Assert.Single(json.RootElement.GetProperty("traces").EnumerateArray());
        Assert.Equal("GET /items/{id}", trace.GetProperty("rootTraceName").GetString());

        using var full = await ariadne.Query.GetAsync(new Uri(ariadne.QueryEndpoint, $"/api/traces/{trace.GetProperty("traceID").GetString()}"));
        var body = await full.Content.ReadAsStringAsync();
        Assert.Contains("\"http.response.status_code\"", body, StringComparison.Ordinal);
        Assert.Contains("\"/items/" + item + "\"", body, StringComparison.Ordinal);
        Assert.Contains("\"deployment.environment.name\"", body, StringComparison.Ordinal);
        Assert.Contains("\"2.1.0\"", body, StringComparison.Ordinal);
    }
}
