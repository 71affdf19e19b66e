using Ariadne.Cli.LoadGen;
using Ariadne.Model;
using Ariadne.Storage.Blocks.V1;
using Ariadne.Storage.Compression;
using Ariadne.Storage.IO;
using BenchmarkDotNet.Attributes;

namespace Ariadne.Benchmarks.Storage;

/// <summary>
/// Writing 100,000 realistic spans as one V1 block (fsync on) with each page codec: block-building
/// throughput is spans / time; bytes on disk per span are printed at setup (they do not vary by run).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class BlockWriteBenchmarks
{
    public const int Spans = 100_000;

    private SpanBatch _batch = null!;
    private string _directory = string.Empty;

    [Params("Zstd", "Brotli", "Deflate", "None")]
    public string CodecName { get; set; } = "Zstd";

    private PageCodec Codec => Enum.Parse<PageCodec>(CodecName);

    [GlobalSetup]
    public void Setup()
    {
        _batch = RealisticSpans.Create(Spans);
        _directory = Directory.CreateTempSubdirectory("ariadne-blocks-").FullName;
        var meta = BlockWriterV1.Write(FileSystemDevice.Instance, _directory, "bench", AllSpans(), Codec);
        var total = meta.DataBytes + meta.IndexBytes + meta.BloomBytes;
        Console.WriteLine($"// {Codec}: {total} bytes on disk for {Spans} spans = {total / (double)Spans:F1} B/span " +
            $"(pages {meta.UncompressedBytes / (double)Spans:F1} B/span before compression, {meta.PageCount} pages)");
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark]
    public long WriteBlock() => BlockWriterV1.Write(FileSystemDevice.Instance, _directory, "bench", AllSpans(), Codec).DataBytes;

    private List<SpanRef> AllSpans()
    {
        var spans = new List<SpanRef>(Spans);
        for (var i = 0; i < _batch.SpanCount; i++)
        {
            spans.Add(new SpanRef(_batch, i));
        }

        return spans;
    }
}
