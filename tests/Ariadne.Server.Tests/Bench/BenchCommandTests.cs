using System.Text.Json;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Bench;

/// <summary><c>ariadne bench</c> run as the CLI process, starting its own server processes.</summary>
public sealed class BenchCommandTests
{
    [Fact]
    public async Task BenchIngest_ShortRun_ReportsRatesThatTheServerAgreesWith()
    {
        var (exit, output, error) = await CliProcess.RunAsync("bench", "ingest", "--duration", "2s", "--workers", "4", "--json");
        Assert.True(exit == 0, error + output);

        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(Environment.ProcessorCount, root.GetProperty("run").GetProperty("cores").GetInt32());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("run").GetProperty("commit").GetString()));
        var runs = root.GetProperty("ingest");
        Assert.Equal(4, runs.GetArrayLength());
        var seen = new HashSet<string>();
        foreach (var run in runs.EnumerateArray())
        {
            seen.Add($"{run.GetProperty("protocol").GetString()} {run.GetProperty("tail_sampling").GetBoolean()}");
            Assert.True(run.GetProperty("counts_agree").GetBoolean(), run.ToString());
            Assert.True(run.GetProperty("acked_spans").GetInt64() > 0, run.ToString());
            Assert.Equal(run.GetProperty("acked_spans").GetInt64(), run.GetProperty("server_accepted_spans").GetInt64());
            Assert.True(run.GetProperty("acked_spans_per_second").GetDouble() > 0, run.ToString());
            Assert.True(run.GetProperty("latency_p99_ms").GetDouble() >= run.GetProperty("latency_p50_ms").GetDouble(), run.ToString());
            Assert.True(run.GetProperty("latency_p50_ms").GetDouble() > 0, run.ToString());
            Assert.True(run.GetProperty("server_cpu_seconds").GetDouble() > 0, run.ToString());
            Assert.True(run.GetProperty("server_peak_rss_mib").GetDouble() > 10, run.ToString());
            Assert.True(run.GetProperty("request_bytes_per_span").GetDouble() > 100, run.ToString());
        }

        Assert.Equal(["otlp/grpc False", "otlp/grpc True", "otlp/http False", "otlp/http True"], seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task BenchStorage_SmallProfile_CountsCompactedBytesPerStoredSpan()
    {
        using var results = new TempDirectory();
        var (exit, output, error) = await CliProcess.RunAsync("bench", "storage", "--storage-spans", "4000", "--profile", "small", "--workers", "2", "--results", results.Path);
        Assert.True(exit == 0, error + output);
        Assert.Contains("| small | 4,000 | 4,000 | 1 |", output, StringComparison.Ordinal);

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(results.Path, "results.json")));
        var storage = Assert.Single(json.RootElement.GetProperty("storage").EnumerateArray());
        Assert.Equal(4000, storage.GetProperty("stored_spans").GetInt64());
        Assert.True(storage.GetProperty("compacted").GetBoolean(), storage.ToString());
        var bytes = storage.GetProperty("bytes").GetInt64();
        Assert.InRange(storage.GetProperty("bytes_per_span").GetDouble(), 1, 200);
        Assert.Equal(Math.Round(bytes / 4000.0, 1), storage.GetProperty("bytes_per_span").GetDouble());
        Assert.Contains("## Bytes on disk per stored span", await File.ReadAllTextAsync(Path.Combine(results.Path, "results.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bench_BadArguments_ListsEveryError()
    {
        var (exit, _, error) = await CliProcess.RunAsync("bench", "everything", "--duration", "soon", "--compare", "oracle", "--profile", "huge");
        Assert.Equal(2, exit);
        Assert.Contains("scenario: expected one of ingest, storage, query, limits, all, got 'everything'", error, StringComparison.Ordinal);
        Assert.Contains("--duration: expected a duration such as 30s or 5m, got 'soon'", error, StringComparison.Ordinal);
        Assert.Contains("--compare: expected clickhouse, got 'oracle'", error, StringComparison.Ordinal);
        Assert.Contains("--profile: expected realistic, small or wide, got 'huge'", error, StringComparison.Ordinal);
    }
}
