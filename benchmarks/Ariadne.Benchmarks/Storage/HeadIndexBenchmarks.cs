using Ariadne.Model;
using Ariadne.Storage.Log;
using Ariadne.Storage.Traces;
using BenchmarkDotNet.Attributes;

namespace Ariadne.Benchmarks.Storage;

/// <summary>
/// Filling a head as the server does between two cuts: 250 decoded requests of 1,000 realistic spans,
/// each added with its log record, then every span listed for the cut. What the index keeps per trace
/// lives until the cut, so the garbage collector promotes it; the gen1 and gen2 columns count that.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class HeadIndexBenchmarks
{
    private readonly List<(byte[] Record, SpanBatch Batch)> _requests = [];

    [GlobalSetup]
    public void Setup()
    {
        SpanBatch? last = null;
        foreach (var span in HeadCutBenchmarks.DecodedHead())
        {
            if (!ReferenceEquals(span.Batch, last))
            {
                last = span.Batch;
                _requests.Add((SpanRecord.Encode(last, 0), last));
            }
        }
    }

    /// <summary>Filling alone, as requests arrive. Divide the time by 250,000 for the cost per span.</summary>
    [Benchmark(Baseline = true)]
    public long Fill()
    {
        var head = new InMemoryTraceIndex();
        foreach (var (record, batch) in _requests)
        {
            head.Add(record, batch);
        }

        return head.SpanCount;
    }

    /// <summary>Filling, then every span listed once (repeats dropped), as for a cut.</summary>
    [Benchmark]
    public int FillAndList()
    {
        var head = new InMemoryTraceIndex();
        foreach (var (record, batch) in _requests)
        {
            head.Add(record, batch);
        }

        return head.AllSpans().Count;
    }
}
