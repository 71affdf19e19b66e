using System.Diagnostics;
using System.Globalization;
using Ariadne.Cli.LoadGen;
using Ariadne.Model;
using Ariadne.Pipeline.TailSampling;
using Ariadne.Storage.Tail;

namespace Ariadne.Benchmarks.Sampling;

/// <summary>
/// Tail sampler throughput and memory per buffered span, on real files with fsync:
/// <c>dotnet run -c Release --project benchmarks/Ariadne.Benchmarks -- tail-sampling [spans]</c>.
/// Phase 1 appends realistic 512-span batches (64 traces of 8 spans each) from 8 concurrent writers
/// into a trace buffer, as receivers do, and measures the managed heap the buffer holds per span.
/// Phase 2 runs decision rounds of about 50,000 spans each (read back from the log, the seed's three
/// policies evaluated, decisions logged, segments deleted), as the server's rounds do. Storing the
/// kept traces is the storage engine's cost and is measured by the ingest benchmarks, not here.
/// </summary>
internal static class TailSamplingReport
{
    private const int BatchSpans = 512;
    private const int Writers = 8;
    private const int BatchesPerRound = 100;

    public static void Run(long totalSpans)
    {
        var batchCount = (int)(totalSpans / BatchSpans);
        var pool = new SpanBatch[Writers * 32];
        for (var i = 0; i < pool.Length; i++)
        {
            pool[i] = RealisticSpans.Create(BatchSpans, seed: i);
        }

        var directory = Directory.CreateTempSubdirectory("ariadne-tail-").FullName;
        try
        {
            RunAsync(directory, pool, batchCount).GetAwaiter().GetResult();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task RunAsync(string directory, SpanBatch[] pool, int batchCount)
    {
        var sampler = new TailSampler(
            "tail_sampling",
            TimeSpan.FromSeconds(10),
            int.MaxValue,
            [
                new StatusCodePolicy("errors", [StatusCode.Error]),
                new LatencyPolicy("slow-traces", 2000, 0),
                new ProbabilisticPolicy("percentage", 10, string.Empty),
            ],
            100_000,
            100_000);
        await using var buffer = await TraceBuffer.OpenAsync(directory);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);

        var next = -1;
        var ingest = Stopwatch.StartNew();
        var writers = new Task[Writers];
        for (var w = 0; w < Writers; w++)
        {
            var writer = w;
            writers[w] = Task.Run(async () =>
            {
                var use = 0;
                int index;
                while ((index = Interlocked.Increment(ref next)) < batchCount)
                {
                    // Each writer reuses its own batches only after their append completed; new trace ids each time.
                    var batch = pool[writer + (Writers * (use++ % 32))];
                    Retag(batch, index);
                    await buffer.AppendAsync(batch, arrivalUnixMilliseconds: index);
                }
            });
        }

        await Task.WhenAll(writers);
        ingest.Stop();
        var buffered = buffer.SpanCount;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        var traces = buffer.TraceCount;
        var diskBytes = buffer.SizeBytes;

        var decide = Stopwatch.StartNew();
        long decided = 0, kept = 0, spansDecided = 0;
        TimeSpan readBack = default, completing = default;
        for (var cutoff = BatchesPerRound - 1; decided < traces; cutoff += BatchesPerRound)
        {
            var take = Stopwatch.StartNew();
            var due = await buffer.TakeDueAsync(cutoff);
            readBack += take.Elapsed;
            var decisions = new List<(TraceId, bool)>(due.Count);
            foreach (var trace in due)
            {
                var sampled = sampler.Decide(trace.TraceId, trace.Spans, 1);
                kept += sampled ? 1 : 0;
                spansDecided += trace.Spans.Count;
                decisions.Add((trace.TraceId, sampled));
            }

            var complete = Stopwatch.StartNew();
            await buffer.CompleteAsync(decisions);
            completing += complete.Elapsed;
            decided += due.Count;
        }

        decide.Stop();
        GC.KeepAlive(buffer);
        var perSpan = (double)(heapAfter - heapBefore) / buffered;
        var ingestRate = buffered / ingest.Elapsed.TotalSeconds;
        var decideRate = spansDecided / decide.Elapsed.TotalSeconds;
        var combined = buffered / (ingest.Elapsed + decide.Elapsed).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cores: {Environment.ProcessorCount}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"buffered: {buffered:N0} spans in {traces:N0} traces, {diskBytes / (double)buffered:F0} B/span on disk"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"managed heap held by the buffer: {(heapAfter - heapBefore) / 1048576.0:F1} MiB = {perSpan:F1} B per buffered span"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"buffering (durable appends, {Writers} writers): {ingestRate:N0} spans/s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"deciding (read back, 3 policies, decisions logged): {decideRate:N0} spans/s; kept {kept:N0} of {decided:N0} traces"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  of which reading back {readBack.TotalSeconds:F2} s, logging decisions and deleting segments {completing.TotalSeconds:F2} s, policies {(decide.Elapsed - readBack - completing).TotalSeconds:F2} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"end to end (buffer + decide, one after the other): {combined:N0} spans/s"));
    }

    private static void Retag(SpanBatch batch, int index)
    {
        var rows = batch.Spans.Rows;
        for (var i = 0; i < rows.Length; i++)
        {
            ref var span = ref batch.Spans[i];
            span.TraceId = new TraceId(span.TraceId.High ^ ((ulong)index << 20), span.TraceId.Low);
        }
    }
}
