using Ariadne.Cli.LoadGen;

namespace Ariadne.Cli.Bench;

/// <summary>
/// Sustained durable ingest: for each protocol, with the default pipeline and with the seed's tail
/// sampling policies, a fresh server process takes pre-encoded requests as fast as it acknowledges
/// them. The rate is the server's own count of acknowledged spans (<c>ariadne_receiver_accepted_spans_total</c>),
/// checked against the generator's.
/// </summary>
internal static class IngestScenario
{
    private const string AcceptedSpans = "ariadne_receiver_accepted_spans_total";
    private const string LogBytes = "ariadne_ingest_log_written_bytes_total";

    private const string TailSampling = """
        processors:
          tail_sampling:
            decision_wait: 10s
            policies:
              - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
              - {name: slow, type: latency, latency: {threshold_ms: 2000}}
              - {name: some, type: probabilistic, probabilistic: {sampling_percentage: 10}}
        service:
          pipelines:
            traces:
              receivers: [otlp]
              processors: [tail_sampling]
              exporters: [storage]
        """;

    public static async Task<List<IngestResult>> RunAsync(BenchOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var results = new List<IngestResult>();
        foreach (var grpc in new[] { true, false })
        {
            foreach (var tail in new[] { false, true })
            {
                results.Add(await RunOnceAsync(options, grpc, tail, log, cancellationToken));
            }
        }

        return results;
    }

    private static async Task<IngestResult> RunOnceAsync(BenchOptions options, bool grpc, bool tail, TextWriter log, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("ariadne-bench-ingest-").FullName;
        try
        {
            await using var server = await BenchServer.StartAsync(root, Path.Combine(root, "data"), extraYaml: tail ? TailSampling : string.Empty);
            var before = await server.MetricsAsync();
            var cpuBefore = server.CpuSeconds();
            var load = new LoadOptions(grpc ? server.OtlpGrpc : server.OtlpHttp, grpc, 0, options.Duration, options.Workers, options.IngestProfile, options.SpansPerRequest);
            var summary = await LoadGenerator.RunAsync(load, cancellationToken);
            var cpu = server.CpuSeconds() - cpuBefore;
            var after = await server.MetricsAsync();
            var accepted = (long)(PrometheusText.Sum(after, AcceptedSpans) - PrometheusText.Sum(before, AcceptedSpans));
            var logBytes = PrometheusText.Sum(after, LogBytes) - PrometheusText.Sum(before, LogBytes);
            var requestBytes = EncodedRequest.Prepare(options.IngestProfile, options.SpansPerRequest, 1)[0] is var sample ? sample.Bytes.Length / (double)sample.SpanCount : 0;
            var result = new IngestResult(
                grpc ? "otlp/grpc" : "otlp/http",
                tail,
                options.IngestProfile,
                options.Workers,
                Math.Round(summary.Seconds, 2),
                summary.AckedSpans,
                accepted,
                accepted == summary.AckedSpans,
                summary.RefusedSpans,
                summary.FailedSpans,
                Math.Round(accepted / summary.Seconds),
                Math.Round(summary.LatencyP50Ms, 2),
                Math.Round(summary.LatencyP99Ms, 2),
                Math.Round(cpu, 1),
                Math.Round(cpu / summary.Seconds, 2),
                Math.Round(server.PeakRssMiB()),
                Math.Round(requestBytes, 1),
                Math.Round(logBytes / summary.Seconds));
            await log.WriteLineAsync($"ingest {result.Protocol}{(tail ? " + tail sampling" : string.Empty)}: {result.AckedSpansPerSecond:N0} spans/s acknowledged (server {accepted:N0}, generator {summary.AckedSpans:N0}{(result.CountsAgree ? ", agree" : ", MISMATCH")}), p50 {result.LatencyP50Ms} ms, p99 {result.LatencyP99Ms} ms, server CPU {result.ServerCpuCores:F2} cores, peak RSS {result.ServerPeakRssMib} MiB");
            if (!result.CountsAgree)
            {
                await Console.Error.WriteLineAsync($"ariadne bench: MISMATCH on {result.Protocol}{(tail ? " with tail sampling" : string.Empty)}: the server counted {accepted:N0} acknowledged spans, the generator {summary.AckedSpans:N0}");
            }

            return result;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
