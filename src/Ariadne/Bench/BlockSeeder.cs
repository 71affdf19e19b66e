using Ariadne.Cli.LoadGen;
using Ariadne.Model;
using Ariadne.Storage;
using Ariadne.Storage.Blocks.V1;
using Ariadne.Storage.Compression;
using Ariadne.Storage.IO;

namespace Ariadne.Cli.Bench;

/// <summary>
/// Writes realistic spans straight into a tenant's storage folder as compacted blocks of 1,000,000
/// (zstd level 6, as compaction leaves them), without a server: how the query benchmarks get a store
/// of ten million spans in a minute. <see cref="Chunks"/> yields the identical spans, chunk by chunk,
/// for loading into another store.
/// </summary>
internal static class BlockSeeder
{
    public const int SpansPerBlock = 1_000_000;
    public const int ChunkSpans = 100_000;

    /// <summary>The realistic spans the seeder writes: <paramref name="spans"/> rounded up to whole chunks of <see cref="ChunkSpans"/>.</summary>
    public static IEnumerable<SpanBatch> Chunks(long spans)
    {
        var seed = 0;
        for (long generated = 0; generated < spans; generated += ChunkSpans)
        {
            yield return RealisticSpans.Create(ChunkSpans, seed++);
        }
    }

    /// <summary>
    /// Writes <paramref name="spans"/> realistic spans into <paramref name="directory"/> (a tenant's
    /// storage folder); every 80th span's trace id goes into <paramref name="ids"/>.
    /// </summary>
    public static (long Spans, long Bytes) WriteBlocks(string directory, long spans, List<TraceId> ids)
    {
        var blocksRoot = Path.Combine(directory, SpanStore.BlocksDirectory);
        Directory.CreateDirectory(blocksRoot);
        long written = 0, bytes = 0;
        var refs = new List<SpanRef>(SpansPerBlock);
        foreach (var batch in Chunks(spans))
        {
            for (var i = 0; i < batch.SpanCount; i++)
            {
                refs.Add(new SpanRef(batch, i));
                if (i % 80 == 0)
                {
                    ids.Add(batch.Spans[i].TraceId);
                }
            }

            if (refs.Count >= SpansPerBlock || written + refs.Count >= spans)
            {
                var meta = BlockWriterV1.Write(FileSystemDevice.Instance, blocksRoot, "single-tenant", refs, PageCodec.Zstd, PageCompressor.ZstdCompactionLevel);
                written += meta.SpanCount;
                bytes += meta.DataBytes + meta.IndexBytes + meta.BloomBytes;
                refs.Clear();
            }
        }

        return (written, bytes);
    }
}
