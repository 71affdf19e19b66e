using System.Text;
using System.Buffers.Binary;
using System.Globalization;
using Ariadne.Cli.LoadGen;
using Ariadne.Model;
using Ariadne.Storage.Blocks.V1;
using Ariadne.Storage.Compression;
using Ariadne.Storage.IO;

namespace Ariadne.Benchmarks.Storage;

/// <summary>
/// Bytes on disk per span for the realistic profile, per codec, and where they go: each page
/// column's share before and after compression (each column compressed on its own, which
/// approximates its share of the compressed page). Sizes do not vary between runs, so this is a
/// report rather than a benchmark: <c>dotnet run -c Release --project benchmarks/Ariadne.Benchmarks -- storage-size</c>.
/// </summary>
internal static class StorageSizeReport
{
    public static void Run(int spans = 100_000)
    {
        var batch = RealisticSpans.Create(spans);
        var refs = new List<SpanRef>(spans);
        for (var i = 0; i < batch.SpanCount; i++)
        {
            refs.Add(new SpanRef(batch, i));
        }

        var directory = Directory.CreateTempSubdirectory("ariadne-size-").FullName;
        try
        {
            (PageCodec Codec, int Level, string Label)[] variants =
            [
                (PageCodec.Zstd, PageCompressor.ZstdLevel, $"zstd {PageCompressor.ZstdLevel} (flush)"),
                (PageCodec.Zstd, PageCompressor.ZstdCompactionLevel, $"zstd {PageCompressor.ZstdCompactionLevel} (compaction)"),
                (PageCodec.Brotli, 0, "Brotli"),
                (PageCodec.Deflate, 0, "Deflate"),
                (PageCodec.None, 0, "none"),
            ];
            foreach (var (codec, level, label) in variants)
            {
                var meta = BlockWriterV1.Write(FileSystemDevice.Instance, directory, "size", [.. refs], codec, level == 0 ? PageCompressor.ZstdLevel : level);
                var total = meta.DataBytes + meta.IndexBytes + meta.BloomBytes;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label,-20} {total / (double)spans,6:F1} B/span on disk ({meta.PageCount} pages, data {meta.DataBytes / (double)spans:F1}, index {meta.IndexBytes / (double)spans:F2}, bloom {meta.BloomBytes / (double)spans:F2})"));
            }

            refs.Sort(static (a, b) => a.Row.TraceId.CompareTo(b.Row.TraceId));
            var raw = new long[(int)PageColumns.Count];
            var columns = new Dictionary<string, (long Raw, long Packed)>();
            var encoder = new PageEncoder();
            for (var start = 0; start < refs.Count; start += BlockWriterV1.TargetPageSpans)
            {
                // Cut at a trace boundary, as the block writer does.
                var end = Math.Min(refs.Count, start + BlockWriterV1.TargetPageSpans);
                while (end < refs.Count && refs[end].Row.TraceId == refs[end - 1].Row.TraceId)
                {
                    end++;
                }

                var page = refs.GetRange(start, end - start).ToArray();
                var payload = encoder.Encode(page);
                var offsets = PageDecoder.ColumnOffsets(payload);
                for (var c = 0; c < offsets.Length; c++)
                {
                    var column = payload.AsSpan(offsets[c].Start, offsets[c].Length);
                    var size = column.IsEmpty ? 0 : PageCompressor.Compress(column, PageCodec.Zstd).Length;
                    var name = c < raw.Length ? ((PageColumns)c).ToString() : "span." + Encoding.UTF8.GetString(encoder.DedicatedKey(c - raw.Length));
                    ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(columns, name, out _);
                    entry.Raw += column.Length;
                    entry.Packed += size;
                }

                start = end - BlockWriterV1.TargetPageSpans;
            }

            Console.WriteLine("column (span.x: a dedicated attribute column)   raw B/span   zstd B/span (column alone)");
            foreach (var (name, size) in columns)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-46} {size.Raw / (double)spans,10:F1} {size.Packed / (double)spans,12:F1}"));
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
