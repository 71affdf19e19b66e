using Ariadne.Cli.LoadGen;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Protobuf;
using Ariadne.Storage.Blocks.V1;
using Ariadne.Storage.Compression;
using Ariadne.Storage.IO;
using BenchmarkDotNet.Attributes;

namespace Ariadne.Benchmarks.Storage;

/// <summary>
/// What a server's cut does with a full head: 250,000 realistic spans that arrived as 250 OTLP requests
/// of 1,000 (decoded by the receiver's decoder, so each batch interns its own strings) written as one
/// block with the default codec and level, fsync on. Unlike <see cref="BlockWriteBenchmarks"/>, whose
/// spans share one batch, a page here draws its spans from many batches, as it does in the server.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class HeadCutBenchmarks
{
    public const int Requests = 250;
    public const int SpansPerRequest = 1_000;

    private List<SpanRef> _spans = [];
    private string _directory = string.Empty;

    /// <summary>A full head as a server holds it: <see cref="Requests"/> requests decoded by the receiver's decoder, each into its own batch.</summary>
    internal static List<SpanRef> DecodedHead()
    {
        var spans = new List<SpanRef>(Requests * SpansPerRequest);
        foreach (var request in EncodedRequest.Prepare("realistic", SpansPerRequest, Requests))
        {
            var batch = new SpanBatch(request.Bytes.Length);
            if (!OtlpProtobufDecoder.TryDecode(request.Bytes, batch, out var error))
            {
                throw new InvalidOperationException(error);
            }

            for (var i = 0; i < batch.SpanCount; i++)
            {
                spans.Add(new SpanRef(batch, i));
            }
        }

        return spans;
    }

    [GlobalSetup]
    public void Setup()
    {
        _spans = DecodedHead();
        _directory = Directory.CreateTempSubdirectory("ariadne-cut-").FullName;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    /// <summary>The block's data bytes; divide the time by 250,000 for the cost per span.</summary>
    [Benchmark]
    public long CutHead() => BlockWriterV1.Write(FileSystemDevice.Instance, _directory, "bench", [.. _spans], PageCodec.Zstd).DataBytes;
}
