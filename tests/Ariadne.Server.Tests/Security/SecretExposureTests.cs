using System.Net;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Security;

/// <summary>
/// Secrets in the configuration (exporter credentials, key paths' contents) never come out of a running
/// server: not in its log (standard output and error of the real process, export failures included),
/// not on <c>/metrics</c>, not in <c>ariadne config print</c>.
/// </summary>
public sealed class SecretExposureTests
{
    private const string Secret = "s3cr3t-0f9e8d7c6b5a";

    [Fact]
    public async Task ExporterCredentials_AreAbsentFromLogsMetricsAndConfigPrint()
    {
        using var directory = new TempDirectory();
        var unreachable = FreePorts.Take(1)[0];
        var exporters = $"""
            exporters:
              otlphttp:
                endpoint: http://127.0.0.1:{unreachable}/v1/traces
                headers:
                  authorization: Bearer {Secret}
                  x-api-key: {Secret}
                retry_on_failure:
                  initial_interval: 100ms
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  exporters: [storage, otlphttp]
            """;
        await using var server = await ServerProcess.StartAsync(directory.Path, extraYaml: exporters);
        using var client = new HttpClient();
        using (var content = new ByteArrayContent(OtlpRequests.Protobuf("svc", OtlpRequests.Trace(2))))
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
            using var response = await client.PostAsync(new Uri(server.HttpEndpoint, "/v1/traces"), content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Long enough for several failed deliveries to be retried and logged.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var metrics = await client.GetStringAsync(new Uri(server.QueryEndpoint, "/metrics"));
        Assert.Contains("ariadne_", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, metrics, StringComparison.Ordinal);
        Assert.Contains("otlphttp", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, server.Output, StringComparison.Ordinal);

        var config = Directory.GetFiles(directory.Path, "ariadne-*.yaml").Single();
        var (code, output, error) = await CliProcess.RunAsync("config", "print", "--config", config);
        Assert.True(code == 0, error);
        Assert.Contains("authorization: <redacted>", output, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, output + error, StringComparison.Ordinal);
    }
}
