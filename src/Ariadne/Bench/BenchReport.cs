using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Ariadne.Cli.Bench;

/// <summary>Renders a run's results as JSON and as the Markdown tables docs/performance.md quotes.</summary>
internal static class BenchReport
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static RunStamp Stamp(string command) => new(
        DateTimeOffset.UtcNow,
        Environment.ProcessorCount,
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        Commit(),
        command);

    public static string Json(BenchResults results) => JsonSerializer.Serialize(results, JsonOptions);

    public static string Markdown(BenchResults results)
    {
        var md = new StringBuilder();
        var run = results.Run;
        Line(md, $"# ariadne bench — {run.Date:yyyy-MM-dd HH:mm} UTC");
        Line(md, string.Empty);
        Line(md, $"`{run.Command}` on {run.Cores} cores, {run.Os}, {run.Runtime}, commit {run.Commit}.");
        if (results.Ingest.Count > 0)
        {
            Line(md, string.Empty);
            Line(md, "## Ingest (acknowledged = durable spans, read from the server's `ariadne_receiver_accepted_spans_total`)");
            Line(md, string.Empty);
            Line(md, "| protocol | tail sampling | spans/s | per core of server CPU | generator = server | p50 ms | p99 ms | server CPU (cores) | peak RSS MiB | refused | failed |");
            Line(md, "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|");
            foreach (var r in results.Ingest)
            {
                Line(md, $"| {r.Protocol} | {(r.TailSampling ? "yes" : "no")} | {r.AckedSpansPerSecond:N0} | {(r.ServerCpuCores > 0 ? r.AckedSpansPerSecond / r.ServerCpuCores : 0):N0} | {(r.CountsAgree ? "yes" : $"**no** ({r.AckedSpans:N0} vs {r.ServerAcceptedSpans:N0})")} | {r.LatencyP50Ms} | {r.LatencyP99Ms} | {r.ServerCpuCores:F2} | {r.ServerPeakRssMib:N0} | {r.RefusedSpans:N0} | {r.FailedSpans:N0} |");
            }
        }

        if (results.Storage.Count > 0)
        {
            Line(md, string.Empty);
            Line(md, "## Bytes on disk per stored span (after compaction)");
            Line(md, string.Empty);
            Line(md, "| profile | spans | distinct spans | blocks | bytes | B/span |");
            Line(md, "|---|---:|---:|---:|---:|---:|");
            foreach (var s in results.Storage)
            {
                Line(md, $"| {s.Profile} | {s.StoredSpans:N0} | {s.DistinctSpans:N0} | {s.Blocks}{(s.Compacted ? string.Empty : " (not merged)")} | {s.Bytes:N0} | {s.BytesPerSpan} |");
            }
        }

        if (results.Query is { } query)
        {
            Line(md, string.Empty);
            Line(md, $"## Queries over {query.StoredSpans:N0} realistic spans ({query.BytesPerSpan} B/span; {query.LoadPath})");
            Line(md, string.Empty);
            Line(md, "| query | limit | runs | p50 ms | p99 ms | results |");
            Line(md, "|---|---:|---:|---:|---:|---:|");
            foreach (var q in query.Queries)
            {
                Line(md, $"| {q.Name}: `{q.Query}` | {q.Limit} | {q.Runs} | {q.P50Ms} | {q.P99Ms} | {q.Results} |");
            }
        }

        if (results.ClickHouse is { } ch)
        {
            Line(md, string.Empty);
            Line(md, $"## Ariadne and ClickHouse {ch.Version} (an old release, Debian's package) on the same {ch.Spans:N0} spans");
            Line(md, string.Empty);
            Line(md, "| measure | Ariadne | ClickHouse | ClickHouse ÷ Ariadne |");
            Line(md, "|---|---:|---:|---:|");
            if (results.Query is { } a)
            {
                Line(md, $"| bytes per span | {a.BytesPerSpan} | {ch.BytesPerSpan} | {Ratio(ch.BytesPerSpan, a.BytesPerSpan)} |");
                for (var i = 0; i < ch.Queries.Count && i < a.Queries.Count; i++)
                {
                    Line(md, $"| {a.Queries[i].Name} p50 ms | {a.Queries[i].P50Ms} | {ch.Queries[i].P50Ms} | {Ratio(ch.Queries[i].P50Ms, a.Queries[i].P50Ms)} |");
                    Line(md, $"| {a.Queries[i].Name} p99 ms | {a.Queries[i].P99Ms} | {ch.Queries[i].P99Ms} | {Ratio(ch.Queries[i].P99Ms, a.Queries[i].P99Ms)} |");
                }
            }

            var ingest = BestIngest(results);
            Line(md, $"| load spans/s | {(ingest is null ? "—" : ingest.AckedSpansPerSecond.ToString("N0", CultureInfo.InvariantCulture) + " (OTLP, acknowledged after fsync)")} | {ch.LoadSpansPerSecond:N0} (TabSeparated over HTTP, no fsync) | {(ingest is null ? "—" : Ratio(ch.LoadSpansPerSecond, ingest.AckedSpansPerSecond))} |");
        }

        if (results.Limits is { } l)
        {
            Line(md, string.Empty);
            Line(md, "## Physical limits of this machine");
            Line(md, string.Empty);
            Line(md, "| bound | measured | Ariadne's figure | fraction of the bound |");
            Line(md, "|---|---:|---:|---:|");
            Line(md, $"| sequential write, fsync per 1 MiB | {l.FsyncWriteMBps:N0} MB/s | ingest log {Show(l.IngestLogMBps)} MB/s | {Show(l.IngestLogFractionOfFsync)} |");
            Line(md, $"| OTLP protobuf decode, one core | {l.DecoderMBps:N0} MB/s ({l.DecoderSpansPerSecond:N0} spans/s) | requests acknowledged {Show(l.IngestRequestMBps)} MB/s | {Show(l.IngestFractionOfDecoder)} |");
            Line(md, $"| memory scan, one core (64-bit values) | {l.MemoryScanGBps} GB/s ({l.MemoryScanGBps * 1e9 / 8:N0} values/s) | unselective TraceQL scan {Show(l.ScanSpansPerSecond)} spans/s | {Show(l.ScanFractionOfMemory)} |");
        }

        return md.ToString();
    }

    private static IngestResult? BestIngest(BenchResults results)
    {
        IngestResult? best = null;
        foreach (var r in results.Ingest)
        {
            if (!r.TailSampling && (best is null || r.AckedSpansPerSecond > best.AckedSpansPerSecond))
            {
                best = r;
            }
        }

        return best;
    }

    private static string Ratio(double numerator, double denominator) =>
        denominator > 0 ? (numerator / denominator).ToString("F2", CultureInfo.InvariantCulture) + "×" : "—";

    private static string Show(double? value) => value is { } v ? v.ToString("#,0.###", CultureInfo.InvariantCulture) : "—";

    private static void Line(StringBuilder md, FormattableString line) => md.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void Line(StringBuilder md, string line) => md.Append(line).Append('\n');

    /// <summary>The commit the binary was built from, as the SDK stamps it into the informational version, else what git says here.</summary>
    private static string Commit()
    {
        var version = Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (version is not null && version.IndexOf('+', StringComparison.Ordinal) is var plus and >= 0)
        {
            return version[(plus + 1)..];
        }

        try
        {
            var start = new ProcessStartInfo("git", "rev-parse HEAD") { RedirectStandardOutput = true, RedirectStandardError = true };
            using var git = Process.Start(start);
            if (git is null)
            {
                return "unknown";
            }

            var head = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? head : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
