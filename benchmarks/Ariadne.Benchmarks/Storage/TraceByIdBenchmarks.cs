using Ariadne.Cli.LoadGen;
using Ariadne.Model;
using Ariadne.Storage;
using BenchmarkDotNet.Attributes;

namespace Ariadne.Benchmarks.Storage;

/// <summary>
/// Trace-by-id from a store of <see cref="StoredSpans"/> realistic spans: all but the last 20,000 in
/// blocks of 100,000 spans, the rest in the head. One operation looks up 100 traces known to exist,
/// so the time per lookup is the reported time / 100.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class TraceByIdBenchmarks
{
    public const int StoredSpans = 1_000_000;
    private const int Lookups = 100;

    private string _directory = string.Empty;
    private SpanStore _store = null!;
    private TraceId[] _traceIds = [];

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("ariadne-byid-").FullName;
        _store = SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = _directory }).GetAwaiter().GetResult();
        var ids = new List<TraceId>();
        for (var seed = 0; seed < StoredSpans / 1000; seed++)
        {
            var batch = RealisticSpans.Create(1000, seed);
            ids.Add(batch.Spans[0].TraceId);
            _store.AppendAsync(batch).AsTask().GetAwaiter().GetResult();
            if ((seed + 1) % 100 == 0 && seed < (StoredSpans / 1000) - 20)
            {
                _store.FlushAsync().GetAwaiter().GetResult();
            }
        }

        var random = new Random(1);
        _traceIds = Enumerable.Range(0, Lookups).Select(_ => ids[random.Next(ids.Count)]).ToArray();
        var stats = _store.Statistics;
        Console.WriteLine($"// stored {stats.SpansStored} spans: {stats.Blocks} blocks ({stats.BlockBytes} bytes), {stats.HeadSpans} in the head");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
    public int TraceById()
    {
        var spans = 0;
        foreach (var id in _traceIds)
        {
            if (_store.TryGetTrace(id, out var trace))
            {
                spans += trace.SpanCount;
            }
        }

        return spans;
    }
}
