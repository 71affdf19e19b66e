using Ariadne.Cli.LoadGen;
using Ariadne.Storage;
using Ariadne.Storage.Blocks;

namespace Ariadne.Cli.Bench;

/// <summary>
/// Bytes on disk per stored span, per span profile: a fresh server takes the spans over OTLP/gRPC, cuts
/// its head into blocks, and compaction merges them (zstd level 6) into what stays on disk; then the
/// data, index and bloom files of every block are counted. Every profile unless one was asked for.
/// </summary>
internal static class StorageScenario
{
    public static readonly string[] Profiles = ["realistic", "small", "wide"];

    private const long MaxDistinctBytes = 256L << 20;

    // Traces are complete one second after their last span; compaction looks every second and merges any
    // two blocks, up to 4 GiB, so what is measured is one compacted block per profile.
    private const string Storage = """
          block:
            trace_idle_period: 1s
          compaction:
            interval: 1s
            min_blocks: 2
            max_block_bytes: 4294967296
        """;

    public static async Task<List<StorageResult>> RunAsync(BenchOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var results = new List<StorageResult>();
        foreach (var profile in options.Profile is { } one ? [one] : Profiles)
        {
            results.Add(await RunOnceAsync(options, profile, log, cancellationToken));
        }

        return results;
    }

    private static async Task<StorageResult> RunOnceAsync(BenchOptions options, string profile, TextWriter log, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("ariadne-bench-storage-").FullName;
        try
        {
            var data = Path.Combine(root, "data");
            await using var server = await BenchServer.StartAsync(root, data, Storage);

            // Two halves, each cut into blocks by a flush, so that compaction has blocks to merge even
            // when they are few spans. The generator replays a set of distinct requests with new trace
            // ids; spans repeated within a page would compress better than real traffic, so the set is
            // as large as the run (up to 256 MiB of requests per half) and the result says how many
            // spans were distinct.
            var requests = (options.StorageSpans + options.SpansPerRequest - 1) / options.SpansPerRequest;
            var requestBytes = EncodedRequest.Prepare(profile, options.SpansPerRequest, 1)[0].Bytes.Length;
            long acked = 0, distinct = 0;
            foreach (var (half, seed) in new[] { (requests / 2, 60_000_000), (requests - (requests / 2), 70_000_000) })
            {
                var distinctRequests = (int)Math.Clamp(Math.Min(half, MaxDistinctBytes / requestBytes), 1, half);
                distinct += (long)distinctRequests * options.SpansPerRequest;
                var load = new LoadOptions(server.OtlpGrpc, true, 0, TimeSpan.FromHours(1), options.Workers, profile, options.SpansPerRequest, distinctRequests, MaxRequests: half, FirstSeed: seed);
                var summary = await LoadGenerator.RunAsync(load, cancellationToken);
                if (summary.AckedSpans != summary.SentSpans)
                {
                    throw new InvalidOperationException($"storage {profile}: only {summary.AckedSpans:N0} of {summary.SentSpans:N0} spans were acknowledged");
                }

                acked += summary.AckedSpans;

                // Every trace is complete after the idle period; the flush then cuts all of the head.
                await Task.Delay(TimeSpan.FromSeconds(1.5), cancellationToken);
                await server.FlushAsync();
            }

            var (blocks, stored, bytes) = await WaitForCompactionAsync(Path.Combine(data, "single-tenant", SpanStore.BlocksDirectory), acked, cancellationToken);
            var result = new StorageResult(profile, acked, Math.Min(distinct, acked), stored, blocks, blocks == 1, bytes, Math.Round(bytes / (double)stored, 1));
            await log.WriteLineAsync($"storage {profile}: {stored:N0} spans ({result.DistinctSpans:N0} distinct) in {blocks} block(s), {bytes:N0} bytes = {result.BytesPerSpan} B/span{(result.Compacted ? string.Empty : " (not merged into one block)")}");
            return result;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// Waits until every span is in blocks and compaction has merged them into one, or nothing changed
    /// for 20 s while no merge was under way (a block folder without its meta.json is one being written).
    /// </summary>
    private static async Task<(int Blocks, long Spans, long Bytes)> WaitForCompactionAsync(string blocksDirectory, long spans, CancellationToken cancellationToken)
    {
        var last = (Blocks: -1, Spans: 0L, Bytes: 0L);
        var unchangedSince = DateTime.UtcNow;
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (DateTime.UtcNow < deadline)
        {
            var now = Count(blocksDirectory);
            if (now != last)
            {
                last = now;
                unchangedSince = DateTime.UtcNow;
            }

            if ((now.Blocks == 1 && now.Spans >= spans) || (DateTime.UtcNow - unchangedSince > TimeSpan.FromSeconds(20) && !AnyUnfinished(blocksDirectory)))
            {
                return now;
            }

            await Task.Delay(250, cancellationToken);
        }

        return last;
    }

    private static bool AnyUnfinished(string blocksDirectory)
    {
        foreach (var block in Directory.GetDirectories(blocksDirectory))
        {
            if (!File.Exists(Path.Combine(block, BlockFiles.Meta)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The finished blocks (those with a meta.json): how many, their spans, and the bytes of their data, index and bloom files.</summary>
    public static (int Blocks, long Spans, long Bytes) Count(string blocksDirectory)
    {
        int blocks = 0;
        long spans = 0, bytes = 0;
        if (!Directory.Exists(blocksDirectory))
        {
            return (0, 0, 0);
        }

        foreach (var block in Directory.GetDirectories(blocksDirectory))
        {
            var metaPath = Path.Combine(block, BlockFiles.Meta);
            BlockMeta meta;
            try
            {
                meta = BlockMetaJson.Deserialize(File.ReadAllBytes(metaPath));
            }
            catch (IOException)
            {
                continue; // unfinished, or deleted by compaction while being read
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            blocks++;
            spans += meta.SpanCount;
            bytes += meta.DataBytes + meta.IndexBytes + meta.BloomBytes;
        }

        return (blocks, spans, bytes);
    }
}
