using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.EndToEnd;

/// <summary><c>ariadne loadgen</c> against a real server: what it says was acknowledged is what the server counted.</summary>
public sealed class LoadgenCommandTests
{
    [Theory]
    [InlineData("http", "small")]
    [InlineData("grpc", "wide")]
    public async Task Loadgen_AckedSpans_AgreeWithTheServersCount(string protocol, string profile)
    {
        await using var server = await LoopbackServer.StartAsync();
        var endpoint = protocol == "grpc" ? server.GrpcEndpoint : server.HttpEndpoint;
        var (exit, output, error) = await CliProcess.RunAsync(
            "loadgen", "--endpoint", endpoint.ToString(), "--protocol", protocol, "--rate", "20000", "--duration", "2s",
            "--workers", "2", "--profile", profile, "--spans-per-request", "200", "--json");
        Assert.True(exit == 0, error + output);

        using var json = JsonDocument.Parse(output);
        var summary = json.RootElement;
        var acked = summary.GetProperty("acked_spans").GetInt64();
        // Ten requests at least: enough to show the counts agree, without a throughput floor that a busy
        // machine would miss (throughput is measured by the benchmarks, not here).
        Assert.True(acked >= 2_000, output);
        Assert.Equal(summary.GetProperty("sent_spans").GetInt64(), acked + summary.GetProperty("refused_spans").GetInt64() + summary.GetProperty("failed_spans").GetInt64());
        Assert.InRange(summary.GetProperty("seconds").GetDouble(), 1.5, 10);

        // Paced to 20,000 spans/s: not much more than that was offered.
        Assert.True(summary.GetProperty("sent_spans").GetInt64() <= 20_000 * summary.GetProperty("seconds").GetDouble() + 1000, output);

        var metrics = await server.Query.GetStringAsync(new Uri(server.QueryEndpoint, "/metrics"));
        var receiver = protocol == "grpc" ? "otlp/grpc" : "otlp/http";
        var counted = Regex.Match(metrics, $"ariadne_receiver_accepted_spans_total{{receiver=\"{receiver}\"}} (\\d+)");
        Assert.Equal(acked, long.Parse(counted.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.Contains($"ariadne_storage_spans {acked}\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loadgen_CustomShape_IsWhatTheServerStores()
    {
        await using var server = await LoopbackServer.StartAsync();
        var (exit, output, error) = await CliProcess.RunAsync(
            "loadgen", "--endpoint", server.HttpEndpoint.ToString(), "--rate", "5000", "--duration", "1s", "--workers", "1",
            "--profile", "custom", "--spans-per-trace", "6", "--depth", "4", "--attributes", "5", "--events", "2", "--spans-per-request", "60", "--json");
        Assert.True(exit == 0, error + output);

        using var search = JsonDocument.Parse(await server.Query.GetStringAsync(new Uri(server.TempoEndpoint, "/api/search?limit=1&q=" + Uri.EscapeDataString("{ resource.service.name = \"loadgen\" }"))));
        var traceId = search.RootElement.GetProperty("traces")[0].GetProperty("traceID").GetString();
        using var trace = JsonDocument.Parse(await server.Query.GetStringAsync(new Uri(server.QueryEndpoint, $"/api/traces/{traceId}")));
        var spans = trace.RootElement.GetProperty("data")[0].GetProperty("spans").EnumerateArray().ToList();
        Assert.Equal(6, spans.Count);
        Assert.All(spans, s => Assert.Equal(5, s.GetProperty("tags").EnumerateArray().Count(t => t.GetProperty("key").GetString()!.StartsWith("load.", StringComparison.Ordinal))));
        Assert.All(spans, s => Assert.Equal(2, s.GetProperty("logs").GetArrayLength()));

        // Depth 4: the longest chain of parents from a span to the root has three links.
        var parentOf = spans.ToDictionary(
            s => s.GetProperty("spanID").GetString()!,
            s => s.GetProperty("references").EnumerateArray().Select(r => r.GetProperty("spanID").GetString()).FirstOrDefault());
        int DepthOf(string id) => parentOf[id] is { } parent && parentOf.ContainsKey(parent) ? 1 + DepthOf(parent) : 1;
        Assert.Equal(4, parentOf.Keys.Max(DepthOf));
    }

    [Fact]
    public async Task Loadgen_BadArguments_NameTheOption()
    {
        var (exit, _, error) = await CliProcess.RunAsync("loadgen", "--protocol", "udp", "--rate", "fast", "--duration", "soon", "--profile", "huge");
        Assert.Equal(2, exit);
        Assert.Contains("--protocol: expected http or grpc, got 'udp'", error, StringComparison.Ordinal);
        Assert.Contains("--rate: expected a positive number of spans per second or max, got 'fast'", error, StringComparison.Ordinal);
        Assert.Contains("--duration: expected a duration such as 30s or 5m, got 'soon'", error, StringComparison.Ordinal);
        Assert.Contains("--profile: expected one of realistic, small, wide, custom, got 'huge'", error, StringComparison.Ordinal);
    }
}
