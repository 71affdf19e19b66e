using Ariadne.Server.Tests.EndToEnd;
using Ariadne.Server.Tests.Infrastructure;
using OpenTelemetry.Exporter;

namespace Ariadne.Server.Tests.Query;

/// <summary><c>ariadne query</c> and <c>ariadne trace</c> against a running server.</summary>
public sealed class QueryCommandTests
{
    [Fact]
    public async Task Query_PrintsATableOfTheMatchingTraces_AndTracePrintsTheWaterfall()
    {
        await using var server = await LoopbackServer.StartAsync();
        var spans = OpenTelemetrySdkTests.ExportCheckoutTrace(server, OtlpExportProtocol.Grpc);
        var traceId = spans[0].TraceId.ToHexString();
        OpenTelemetrySdkTests.ExportCheckoutTrace(server, OtlpExportProtocol.Grpc);

        var (code, output, error) = await CliProcess.RunAsync("query", "{ resource.service.name = \"payments\" && status = error }", "--since", "1h", "--limit", "1", "--server", server.QueryEndpoint.ToString());
        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("TRACE ID", lines[0], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^[0-9a-f]{32}  frontend  +GET /checkout  +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}  +\d+ ms  +6  +2  +2$", lines[1]);
        Assert.Equal("1 trace", lines[2]);

        (code, output, error) = await CliProcess.RunAsync("trace", traceId, "--server", server.QueryEndpoint.ToString());
        Assert.True(code == 0, error);
        lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"trace {traceId}  6 spans  2 services  ", lines[0], StringComparison.Ordinal);
        Assert.Equal(7, lines.Length);
        string[] expected =
        [
            "GET /checkout  (frontend)",
            "  POST /pay  (frontend)",
            "    POST /pay  (payments)  ! error: payment failed",
            "      charge card  (payments)  ! error: card declined",
            "      payments publish  (payments)",
            "        payments process  (payments)",
        ];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Matches(@"^\|[█ ]{40}\| +[0-9.]+ (ns|µs|ms|s)  ", lines[i + 1]);
            Assert.EndsWith(expected[i], lines[i + 1], StringComparison.Ordinal);
        }

        Assert.StartsWith("|█", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_InvalidTraceQL_ExitsNonZeroWithThePosition_AndAMissingTraceSaysSo()
    {
        await using var server = await LoopbackServer.StartAsync();
        var (code, _, error) = await CliProcess.RunAsync("query", "{ status = }", "--server", server.QueryEndpoint.ToString());
        Assert.Equal(1, code);
        Assert.Contains("invalid TraceQL query: 1:12: expected a value after '=', found '}'", error, StringComparison.Ordinal);

        (code, _, error) = await CliProcess.RunAsync("trace", "0000000000000000000000000000beef", "--server", server.QueryEndpoint.ToString());
        Assert.Equal(1, code);
        Assert.Contains("404", error, StringComparison.Ordinal);
        Assert.Contains("trace not found", error, StringComparison.Ordinal);

        (code, _, error) = await CliProcess.RunAsync("query", "{ }", "--since", "soon");
        Assert.NotEqual(0, code);
        Assert.Contains("--since must be a duration", error, StringComparison.Ordinal);
    }
}
