using Ariadne.Cli.LoadGen;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Protobuf;
using Ariadne.Server.Receivers;
using BenchmarkDotNet.Attributes;

namespace Ariadne.Benchmarks.Otlp;

/// <summary>
/// The batch a receiver hands on for one request of 1,000 realistic spans (the load generator's
/// request): decoded into a new batch whose tables grow from empty, against decoded into the thread's
/// reused batch and kept as an exact copy (<see cref="ScratchBatch"/>, what the receivers do). Each
/// operation's batch is kept until the next one, as the head keeps it.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ReceiverBatchBenchmarks
{
    private byte[] _request = [];
    private SpanBatch? _kept;

    [GlobalSetup]
    public void Setup()
    {
        _request = EncodedRequest.Prepare("realistic", 1_000, 1)[0].Bytes;
        Console.WriteLine($"// request: 1000 spans, {_request.Length} bytes");
    }

    [Benchmark(Baseline = true)]
    public int NewBatchPerRequest()
    {
        var batch = new SpanBatch(_request.Length);
        OtlpProtobufDecoder.TryDecode(_request, batch, out _);
        _kept = batch;
        return batch.SpanCount;
    }

    [Benchmark]
    public int ReusedBatchAndExactCopy()
    {
        var scratch = ScratchBatch.Take(_request.Length);
        OtlpProtobufDecoder.TryDecode(_request, scratch, out _);
        _kept = ScratchBatch.Keep(scratch);
        return _kept.SpanCount;
    }
}
