using System.Buffers;
using Ariadne.Cli.LoadGen;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Protobuf;
using Ariadne.Storage.Compression;
using Ariadne.Storage.Log;
using BenchmarkDotNet.Attributes;

namespace Ariadne.Benchmarks.Storage;

/// <summary>
/// Compressing one ingest-log record: a decoded request of 1,000 realistic spans in the log's table
/// encoding, at zstd levels from the regular fastest (1) into the fast negative ones. The record is
/// written once, kept in the head until the next cut, and read back at most once.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class SpanRecordBenchmarks
{
    private byte[] _raw = [];
    private byte[] _destination = [];

    [Params(1, -1, -3, -5)]
    public int Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var request = EncodedRequest.Prepare("realistic", 1_000, 1)[0].Bytes;
        var batch = new SpanBatch(request.Length);
        OtlpProtobufDecoder.TryDecode(request, batch, out _);
        _raw = new byte[SpanBatchCodec.GetEncodedLength(batch)];
        SpanBatchCodec.Encode(batch, _raw);
        _destination = new byte[PageCompressor.MaxZstdLength(_raw.Length)];
        var compressed = PageCompressor.CompressZstd(_raw, _destination, Level);
        Console.WriteLine($"// level {Level}: {_raw.Length} bytes -> {compressed} bytes ({_raw.Length / (double)compressed:F2}x)");
    }

    [Benchmark]
    public int Compress() => PageCompressor.CompressZstd(_raw, _destination, Level);
}
