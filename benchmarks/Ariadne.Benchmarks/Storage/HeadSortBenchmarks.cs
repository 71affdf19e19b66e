using Ariadne.Model;
using Ariadne.Storage.Blocks.V1;
using BenchmarkDotNet.Attributes;

namespace Ariadne.Benchmarks.Storage;

/// <summary>
/// Ordering a full head by trace id and start time before it is cut: 250,000 spans of 250 decoded
/// requests, compared in place (each comparison reads two rows from two batches) against sorted by keys
/// read out of the batches once.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class HeadSortBenchmarks
{
    private List<SpanRef> _spans = [];

    [GlobalSetup]
    public void Setup() => _spans = HeadCutBenchmarks.DecodedHead();

    [Benchmark(Baseline = true)]
    public int ComparedInPlace()
    {
        List<SpanRef> spans = [.. _spans];
        spans.Sort(static (a, b) =>
        {
            var c = a.Row.TraceId.CompareTo(b.Row.TraceId);
            return c != 0 ? c : a.Row.StartTimeUnixNano.CompareTo(b.Row.StartTimeUnixNano);
        });
        return spans[0].Index;
    }

    [Benchmark]
    public int SortedByKeys()
    {
        List<SpanRef> spans = [.. _spans];
        BlockWriterV1.SortByTrace(spans);
        return spans[0].Index;
    }
}
