using Ariadne.Cli.LoadGen;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Protobuf;
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
    private readonly List<SpanRef> _spans = new(250_000);

    [GlobalSetup]
    public void Setup()
    {
        foreach (var request in EncodedRequest.Prepare("realistic", 1_000, 250))
        {
            var batch = new SpanBatch(request.Bytes.Length);
            OtlpProtobufDecoder.TryDecode(request.Bytes, batch, out _);
            for (var i = 0; i < batch.SpanCount; i++)
            {
                _spans.Add(new SpanRef(batch, i));
            }
        }
    }

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
