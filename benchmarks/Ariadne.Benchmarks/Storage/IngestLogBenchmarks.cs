using System.Diagnostics;
using Ariadne.Cli.LoadGen;
using Ariadne.Model;
using Ariadne.Storage.Log;
using BenchmarkDotNet.Attributes;

namespace Ariadne.Benchmarks.Storage;

/// <summary>
/// Durable appends of 100-span realistic batches to a real ingest log with fsync on, from 1, 8 and
/// 64 concurrent writers. One operation = every writer appending <see cref="BatchesPerWriter"/> batches.
/// Fsyncs per second (time spent appending only) are printed when a case ends.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[Config(typeof(IngestLogBenchmarkConfig))]
public class IngestLogBenchmarks
{
    public const int BatchesPerWriter = 16;
    public const int SpansPerBatch = 100;

    private readonly Stopwatch _appending = new();
    private string _directory = string.Empty;
    private IngestLog _log = null!;
    private SpanBatch _batch = null!;
    private long _appends;

    [Params(1, 8, 64)]
    public int Writers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("ariadne-bench-").FullName;
        _log = IngestLog.Open(new IngestLogOptions { Directory = _directory }, (_, _, _) => { }, out _);
        _batch = RealisticSpans.Create(SpansPerBatch);
        Console.WriteLine($"// batch: {SpansPerBatch} spans, {SpanBatchCodec.GetEncodedLength(_batch)} bytes per record payload");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        var seconds = _appending.Elapsed.TotalSeconds;
        Console.WriteLine(
            $"// writers: {Writers}, fsyncs: {_log.FsyncCount}, appends: {_appends}, appends per fsync: {(double)_appends / Math.Max(1, _log.FsyncCount):F1}, fsyncs/s: {_log.FsyncCount / seconds:F0}");
        _log.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public async Task Append()
    {
        _appending.Start();
        var writers = new Task[Writers];
        for (var w = 0; w < writers.Length; w++)
        {
            writers[w] = Task.Run(async () =>
            {
                for (var i = 0; i < BatchesPerWriter; i++)
                {
                    await _log.AppendAsync(
                        LogRecordHeader.SpanBatchKind,
                        SpanBatchCodec.GetEncodedLength(_batch),
                        (destination, _) => SpanBatchCodec.Encode(_batch, destination),
                        CancellationToken.None);
                }
            });
        }

        await Task.WhenAll(writers);
        _appends += writers.Length * BatchesPerWriter;
        _appending.Stop();
    }
}
