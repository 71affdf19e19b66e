using System.Diagnostics;
using System.Numerics;
using Ariadne.Cli.LoadGen;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Protobuf;

namespace Ariadne.Cli.Bench;

/// <summary>
/// What the machine allows: sequential write bandwidth with an fsync per 1 MiB (the bound on durable
/// ingest bytes/s), the hand-written OTLP protobuf decoder's MB/s on one core, and memory bandwidth of
/// a column scan (a sum over a 256 MiB array of 64-bit values), each the best of several rounds.
/// </summary>
internal static class LimitsScenario
{
    private const int ChunkBytes = 1 << 20;
    private const int FsyncChunks = 256;

    public static PhysicalLimits Measure(string profile, List<IngestResult> ingest, QueryResults? query, TextWriter log)
    {
        var fsync = FsyncWriteMBps();
        var (decoderMBps, decoderSpans) = DecoderMBps(profile);
        var memory = MemoryScanGBps();
        log.WriteLine($"limits: write+fsync {fsync:F0} MB/s, OTLP decode {decoderMBps:F0} MB/s ({decoderSpans:N0} spans/s) on one core, memory scan {memory:F1} GB/s");

        // The fastest default-pipeline run is compared with each bound.
        IngestResult? best = null;
        foreach (var run in ingest)
        {
            if (!run.TailSampling && (best is null || run.AckedSpansPerSecond > best.AckedSpansPerSecond))
            {
                best = run;
            }
        }

        double? logMBps = best is null ? null : Math.Round(best.IngestLogBytesPerSecond / 1e6, 1);
        double? requestMBps = best is null ? null : Math.Round(best.AckedSpansPerSecond * best.RequestBytesPerSpan / 1e6, 1);
        double? scan = null;
        if (query is not null)
        {
            foreach (var timing in query.Queries)
            {
                if (timing.Query.Contains(">= 600", StringComparison.Ordinal))
                {
                    scan = Math.Round(query.StoredSpans / (timing.P50Ms / 1000));
                }
            }
        }

        return new PhysicalLimits(
            Math.Round(fsync),
            Math.Round(decoderMBps),
            Math.Round(decoderSpans),
            Math.Round(memory, 2),
            logMBps,
            logMBps / Math.Round(fsync) is { } l ? Math.Round(l, 3) : null,
            requestMBps,
            requestMBps / Math.Round(decoderMBps) is { } d ? Math.Round(d, 3) : null,
            scan,

            // A column scan that reads one 8-byte value per span at memory speed is the bound.
            scan / (memory * 1e9 / sizeof(long)) is { } s ? Math.Round(s, 4) : null);
    }

    public static double FsyncWriteMBps()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ariadne-bench-fsync-{Environment.ProcessId}");
        var chunk = new byte[ChunkBytes];
        new Random(1).NextBytes(chunk);
        try
        {
            var best = 0.0;
            for (var round = 0; round < 3; round++)
            {
                using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < FsyncChunks; i++)
                {
                    file.Write(chunk);
                    file.Flush(flushToDisk: true);
                }

                best = Math.Max(best, FsyncChunks * (double)ChunkBytes / clock.Elapsed.TotalSeconds / 1e6);
            }

            return best;
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static (double MBps, double SpansPerSecond) DecoderMBps(string profile)
    {
        var requests = EncodedRequest.Prepare(profile, 1000, 8);
        var batch = new SpanBatch();
        var best = (MBps: 0.0, Spans: 0.0);
        for (var round = 0; round < 3; round++)
        {
            long bytes = 0, spans = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(1))
            {
                foreach (var request in requests)
                {
                    batch.Clear();
                    if (!OtlpProtobufDecoder.TryDecode(request.Bytes, batch, out var error))
                    {
                        throw new InvalidOperationException($"the pre-encoded request did not decode: {error}");
                    }

                    bytes += request.Bytes.Length;
                    spans += batch.SpanCount;
                }
            }

            var seconds = clock.Elapsed.TotalSeconds;
            if (bytes / seconds / 1e6 > best.MBps)
            {
                best = (bytes / seconds / 1e6, spans / seconds);
            }
        }

        return best;
    }

    public static double MemoryScanGBps()
    {
        var column = new long[32 << 20];
        for (var i = 0; i < column.Length; i++)
        {
            column[i] = i;
        }

        var best = 0.0;
        long check = 0;
        for (var round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            check += Sum(column);
            best = Math.Max(best, column.Length * (double)sizeof(long) / clock.Elapsed.TotalSeconds / 1e9);
        }

        GC.KeepAlive(check);
        return best;
    }

    private static long Sum(ReadOnlySpan<long> values)
    {
        var sums = Vector<long>.Zero;
        var i = 0;
        for (; i <= values.Length - Vector<long>.Count; i += Vector<long>.Count)
        {
            sums += new Vector<long>(values[i..]);
        }

        var total = Vector.Sum(sums);
        for (; i < values.Length; i++)
        {
            total += values[i];
        }

        return total;
    }
}
