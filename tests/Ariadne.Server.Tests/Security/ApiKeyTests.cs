using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Ariadne.Server.Tests.Infrastructure;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace Ariadne.Server.Tests.Security;

/// <summary>Ingest and read keys on every listener, checked before any body is read.</summary>
public sealed class ApiKeyTests
{
    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task SdkExporter_WithoutKeyIsRefused_WithPrimaryOrSecondaryIsStored(OtlpExportProtocol protocol)
    {
        await using var server = await AuthServer.StartAsync();
        var endpoint = protocol == OtlpExportProtocol.Grpc ? server.GrpcEndpoint : server.HttpEndpoint;

        var refused = SdkExport.OneTrace(endpoint, protocol, headers: string.Empty);
        var wrong = SdkExport.OneTrace(endpoint, protocol, headers: "authorization=Bearer not-a-key");
        var primary = SdkExport.OneTrace(endpoint, protocol, headers: $"authorization=Bearer {AuthServer.IngestPrimary}");
        var secondary = SdkExport.OneTrace(endpoint, protocol, headers: $"x-api-key={AuthServer.IngestSecondary}");

        Assert.Equal(HttpStatusCode.NotFound, await TraceStatusAsync(server, refused));
        Assert.Equal(HttpStatusCode.NotFound, await TraceStatusAsync(server, wrong));
        Assert.Equal(HttpStatusCode.OK, await TraceStatusAsync(server, primary));
        Assert.Equal(HttpStatusCode.OK, await TraceStatusAsync(server, secondary));

        var listener = protocol == OtlpExportProtocol.Grpc ? "otlp/grpc" : "otlp/http";
        var metrics = await MetricsAsync(server);
        Assert.Contains($"ariadne_auth_refused_requests_total{{listener=\"{listener}\",reason=\"missing_key\"}} 1", metrics, StringComparison.Ordinal);
        Assert.Contains($"ariadne_auth_refused_requests_total{{listener=\"{listener}\",reason=\"invalid_key\"}} 1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-key", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(AuthServer.IngestPrimary, metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtlpHttp_InvalidGzipWithoutKey_Is401NotA400_BecauseTheBodyIsNeverRead()
    {
        await using var server = await AuthServer.StartAsync();
        var notGzip = Encoding.ASCII.GetBytes("this is not gzip at all");

        using var anonymous = await PostAsync(server, notGzip, key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        using (var status = JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync()))
        {
            Assert.Equal(16, status.RootElement.GetProperty("code").GetInt32());
            Assert.Contains("API key is required", status.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        using var keyed = await PostAsync(server, notGzip, key: AuthServer.IngestPrimary);
        Assert.Equal(HttpStatusCode.BadRequest, keyed.StatusCode);
    }

    [Fact]
    public async Task OtlpGrpc_InvalidGzipWithoutKey_IsUnauthenticated_WithKeyTheBodyIsRead()
    {
        await using var server = await AuthServer.StartAsync();
        var frame = GrpcCall.Frame(Encoding.ASCII.GetBytes("not gzip"), compressed: true);

        var anonymous = await GrpcCall.ExportAsync(server.GrpcEndpoint, frame, "gzip");
        Assert.Equal(16, anonymous.Status);
        Assert.Contains("API key is required", anonymous.Message, StringComparison.Ordinal);

        var wrong = await GrpcCall.ExportAsync(server.GrpcEndpoint, frame, "gzip", new Dictionary<string, string> { ["x-api-key"] = "nope" });
        Assert.Equal(16, wrong.Status);

        var keyed = await GrpcCall.ExportAsync(server.GrpcEndpoint, frame, "gzip", new Dictionary<string, string> { ["authorization"] = "Bearer " + AuthServer.IngestSecondary });
        Assert.Equal(3, keyed.Status);
    }

    [Fact]
    public async Task ZipkinExporter_NeedsTheIngestKey_AndGetsA401WithWwwAuthenticate()
    {
        await using var server = await AuthServer.StartAsync();
        var uri = new Uri(server.ZipkinEndpoint, "/api/v2/spans");
        using var anonymous = await server.Query.PostAsync(uri, new StringContent("[]", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);

#pragma warning disable CS0618
        using var source = new System.Diagnostics.ActivitySource("zipkin-auth." + Guid.NewGuid().ToString("N"));
        using var provider = OpenTelemetry.Sdk.CreateTracerProviderBuilder()
            .AddSource(source.Name)
            .SetSampler(new AlwaysOnSampler())
            .AddZipkinExporter(o =>
            {
                o.Endpoint = uri;
                o.HttpClientFactory = () =>
                {
                    var client = new HttpClient();
                    client.DefaultRequestHeaders.Add("x-api-key", AuthServer.IngestPrimary);
                    return client;
                };
            })
            .Build()!;
#pragma warning restore CS0618
        string traceId;
        using (var span = source.StartActivity("reserve")!)
        {
            traceId = span.TraceId.ToHexString();
        }

        SdkDelivery.Complete(provider, "the Zipkin export");
        Assert.Equal(HttpStatusCode.OK, await TraceStatusAsync(server, traceId));
    }

    [Fact]
    public async Task QueryPorts_NeedAReadKey_HealthStaysOpen_AndAnIngestKeyDoesNotRead()
    {
        await using var server = await AuthServer.StartAsync();
        foreach (var uri in new[]
        {
            new Uri(server.QueryEndpoint, "/api/services"),
            new Uri(server.QueryEndpoint, "/api/v3/services"),
            new Uri(server.QueryEndpoint, "/api/search?q=%7B%7D"),
            new Uri(server.QueryEndpoint, "/metrics"),
            new Uri(server.TempoEndpoint, "/api/search?q=%7B%7D"),
            new Uri(server.TempoEndpoint, "/api/search/tags"),
            new Uri(server.TempoEndpoint, "/api/traces/0000000000000000000000000000beef"),
        })
        {
            using var anonymous = await server.Query.SendAsync(AuthServer.Get(uri));
            Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, uri.ToString());
            using (var error = JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync()))
            {
                Assert.Equal(401, error.RootElement.GetProperty("errors")[0].GetProperty("code").GetInt32());
            }

            using var ingestKey = await server.Query.SendAsync(AuthServer.Get(uri, AuthServer.IngestPrimary));
            Assert.True(ingestKey.StatusCode == HttpStatusCode.Unauthorized, uri.ToString());
            using var primary = await server.Query.SendAsync(AuthServer.Get(uri, AuthServer.QueryPrimary));
            Assert.NotEqual(HttpStatusCode.Unauthorized, primary.StatusCode);
            using var secondary = await server.Query.SendAsync(AuthServer.Get(uri, AuthServer.QuerySecondary));
            Assert.NotEqual(HttpStatusCode.Unauthorized, secondary.StatusCode);
        }

        foreach (var uri in new[] { new Uri(server.QueryEndpoint, "/health/live"), new Uri(server.QueryEndpoint, "/health/ready"), new Uri(server.TempoEndpoint, "/ready") })
        {
            using var open = await server.Query.GetAsync(uri);
            Assert.True(open.StatusCode == HttpStatusCode.OK, uri.ToString());
        }
    }

    [Fact]
    public async Task Metrics_CanBeMadePublic_WhileTheApiStaysProtected()
    {
        await using var server = await AuthServer.StartAsync(configure: o => o.Auth.MetricsPublic = true);
        using var metrics = await server.Query.GetAsync(new Uri(server.QueryEndpoint, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        using var services = await server.Query.GetAsync(new Uri(server.QueryEndpoint, "/api/services"));
        Assert.Equal(HttpStatusCode.Unauthorized, services.StatusCode);
    }

    [Fact]
    public async Task Cli_QueryAndTrace_SendTheKeyFromTheOptionOrTheEnvironment()
    {
        await using var server = await AuthServer.StartAsync();
        var traceId = SdkExport.OneTrace(server.GrpcEndpoint, OtlpExportProtocol.Grpc, $"x-api-key={AuthServer.IngestPrimary}");
        var url = server.QueryEndpoint.ToString();

        var (code, _, error) = await CliProcess.RunAsync("trace", traceId, "--server", url);
        Assert.Equal(1, code);
        Assert.Contains("401", error, StringComparison.Ordinal);
        Assert.Contains("read key is required", error, StringComparison.Ordinal);

        (code, var output, error) = await CliProcess.RunAsync("trace", traceId, "--server", url, "--key", AuthServer.QueryPrimary);
        Assert.True(code == 0, error);
        Assert.StartsWith($"trace {traceId}  2 spans", output, StringComparison.Ordinal);

        (code, output, error) = await CliProcess.RunWithEnvironmentAsync(
            new Dictionary<string, string> { ["ARIADNE_API_KEY"] = AuthServer.QuerySecondary },
            "query", "{ resource.service.name = \"checkout\" }", "--since", "1h", "--server", url);
        Assert.True(code == 0, error);
        Assert.Contains(traceId, output, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> PostAsync(LoopbackServer server, byte[] body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.HttpEndpoint, "/v1/traces")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Content.Headers.ContentEncoding.Add("gzip");
        if (key is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        return await server.Query.SendAsync(request);
    }

    private static async Task<HttpStatusCode> TraceStatusAsync(LoopbackServer server, string traceId)
    {
        using var response = await server.Query.SendAsync(AuthServer.Get(new Uri(server.TempoEndpoint, $"/api/v2/traces/{traceId}"), AuthServer.QueryPrimary));
        return response.StatusCode;
    }

    private static async Task<string> MetricsAsync(LoopbackServer server)
    {
        using var response = await server.Query.SendAsync(AuthServer.Get(new Uri(server.QueryEndpoint, "/metrics"), AuthServer.QueryPrimary));
        return await response.Content.ReadAsStringAsync();
    }
}
