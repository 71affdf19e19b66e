using System.Buffers;
using Ariadne.Cli.LoadGen;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Protobuf;
using BenchmarkDotNet.Attributes;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace Ariadne.Benchmarks.Otlp;

/// <summary>
/// Decoding one realistic 512-span ExportTraceServiceRequest: Google.Protobuf's generated parser (the
/// baseline) against Ariadne's hand-written decoder reusing one batch, as a receiver does.
/// MB/s = request bytes (reported by <see cref="RequestBytes"/> at setup) / mean time.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class OtlpDecodeBenchmarks
{
    public const int Spans = 512;

    private byte[] _request = [];
    private SpanBatch _batch = new();

    public static int RequestBytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var output = new ArrayBufferWriter<byte>();
        OtlpProtobufEncoder.WriteTracesData(RealisticSpans.Create(Spans), output);
        _request = output.WrittenSpan.ToArray();
        RequestBytes = _request.Length;
        Console.WriteLine($"// request: {Spans} spans, {_request.Length} bytes");
        _batch = new SpanBatch();
    }

    [Benchmark(Baseline = true)]
    public int GoogleProtobuf() => ExportTraceServiceRequest.Parser.ParseFrom(_request).ResourceSpans.Count;

    [Benchmark]
    public int Ariadne()
    {
        _batch.Clear();
        OtlpProtobufDecoder.TryDecode(_request, _batch, out _);
        return _batch.SpanCount;
    }
}
