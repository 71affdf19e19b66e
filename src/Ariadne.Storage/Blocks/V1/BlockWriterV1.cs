using Ariadne.Model;
using Ariadne.Storage.Compression;
using Ariadne.Storage.IO;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Blocks.V1;

/// <summary>
/// Writes spans as an immutable V1 block: pages of whole traces sorted by trace id, then the sparse
/// index, then the bloom filter, each fsynced, and meta.json last (written aside and renamed), so a
/// crash at any point leaves either a complete block or a folder without meta that is never read.
/// </summary>
internal static class BlockWriterV1
{
    public const int FormatVersion = 1;

    /// <summary>Pages are cut at the first trace boundary past this many spans.</summary>
    public const int TargetPageSpans = 1024;

    /// <summary>A meta.json list shorter than this is complete, so a value missing from it is missing from the block.</summary>
    public const int MaxListedValues = 1000;
    private const int MaxListedOperations = 10_000;

    public static BlockMeta Write(IStorageDevice device, string blocksDirectory, string tenant, List<SpanRef> spans, PageCodec codec)
    {
        spans.Sort(static (a, b) =>
        {
            var c = a.Row.TraceId.CompareTo(b.Row.TraceId);
            return c != 0 ? c : a.Row.StartTimeUnixNano.CompareTo(b.Row.StartTimeUnixNano);
        });

        var blockId = Guid.CreateVersion7();
        var directory = Path.Combine(blocksDirectory, blockId.ToString("N"));
        device.CreateDirectory(directory);

        var bloom = BloomFilter.Create(CountTraces(spans));
        var entries = new List<PageIndexEntry>();
        var encoder = new PageEncoder();
        var services = new HashSet<Utf8Key>();
        var names = new HashSet<Utf8Key>();
        var keys = new HashSet<Utf8Key>();
        var operations = new HashSet<(Utf8Key Service, Utf8Key Name, SpanKind Kind)>();
        ulong minStart = ulong.MaxValue, maxEnd = 0;
        long dataBytes = 0, uncompressed = 0, traces = 0;
        using (var data = device.OpenOrCreate(Path.Combine(directory, BlockFiles.Data)))
        {
            data.SetLength(0);
            var pageStart = 0;
            Span<byte> header = stackalloc byte[PageHeader.Size];
            for (var i = 0; i < spans.Count; i++)
            {
                var row = spans[i].Row;
                var batch = spans[i].Batch;
                minStart = Math.Min(minStart, row.StartTimeUnixNano);
                maxEnd = Math.Max(maxEnd, row.EndTimeUnixNano);
                if (i == 0 || row.TraceId != spans[i - 1].Row.TraceId)
                {
                    bloom.Add(row.TraceId);
                    traces++;
                }

                Collect(services, batch, batch.ServiceNameOf(row));
                Collect(names, batch, row.Name);
                if (operations.Count < MaxListedOperations)
                {
                    operations.Add((new Utf8Key(batch, batch.ServiceNameOf(row)), new Utf8Key(batch, row.Name), row.Kind));
                }

                foreach (ref readonly var kv in batch.AttributesOf(row.Attributes))
                {
                    Collect(keys, batch, kv.Key);
                }

                var endOfTrace = i == spans.Count - 1 || spans[i + 1].Row.TraceId != row.TraceId;
                if (i == spans.Count - 1 || (endOfTrace && i + 1 - pageStart >= TargetPageSpans) || i + 1 - pageStart >= TargetPageSpans * 16)
                {
                    var pageSpans = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(spans).Slice(pageStart, i + 1 - pageStart);
                    var payload = encoder.Encode(pageSpans);
                    var stored = PageCompressor.Compress(payload, codec);
                    new PageHeader(codec, payload.Length, stored.Length, pageSpans.Length, Crc32C.Compute(stored)).Write(header);
                    data.Write(dataBytes, header);
                    data.Write(dataBytes + PageHeader.Size, stored);
                    entries.Add(Describe(pageSpans, dataBytes, PageHeader.Size + stored.Length));
                    dataBytes += PageHeader.Size + stored.Length;
                    uncompressed += payload.Length;
                    pageStart = i + 1;
                }
            }

            data.Flush();
        }

        var index = PageIndex.Serialize(entries);
        WriteDurably(device, Path.Combine(directory, BlockFiles.Index), index);
        var bloomBytes = bloom.Serialize();
        WriteDurably(device, Path.Combine(directory, BlockFiles.Bloom), bloomBytes);

        var meta = new BlockMeta
        {
            FormatVersion = FormatVersion,
            BlockId = blockId,
            Tenant = tenant,
            CreatedAt = DateTimeOffset.UtcNow,
            MinStartTimeUnixNano = spans.Count == 0 ? 0 : minStart,
            MaxEndTimeUnixNano = maxEnd,
            SpanCount = spans.Count,
            TraceCount = traces,
            PageCount = entries.Count,
            Codec = codec.ToString().ToLowerInvariant(),
            DataBytes = dataBytes,
            IndexBytes = index.Length,
            BloomBytes = bloomBytes.Length,
            UncompressedBytes = uncompressed,
            Services = Sorted(services),
            SpanNames = Sorted(names),
            AttributeKeys = Sorted(keys),
            Operations = operations
                .Select(o => new BlockOperation(o.Service.ToString(), o.Name.ToString(), o.Kind.ToString().ToLowerInvariant()))
                .OrderBy(o => o.Service, StringComparer.Ordinal).ThenBy(o => o.Name, StringComparer.Ordinal).ThenBy(o => o.Kind, StringComparer.Ordinal)
                .ToArray(),
        };
        WriteDurably(device, Path.Combine(directory, BlockFiles.MetaTemporary), BlockMetaJson.Serialize(meta));
        device.Move(Path.Combine(directory, BlockFiles.MetaTemporary), Path.Combine(directory, BlockFiles.Meta));
        device.SyncDirectory(directory);
        device.SyncDirectory(blocksDirectory);
        return meta;
    }

    private static PageIndexEntry Describe(ReadOnlySpan<SpanRef> page, long offset, int length)
    {
        ulong minStart = ulong.MaxValue, maxEnd = 0, maxDuration = 0;
        int kinds = 0, statuses = 0;
        foreach (var span in page)
        {
            ref readonly var row = ref span.Row;
            minStart = Math.Min(minStart, row.StartTimeUnixNano);
            maxEnd = Math.Max(maxEnd, row.EndTimeUnixNano);
            maxDuration = Math.Max(maxDuration, row.DurationNanos);
            kinds |= 1 << ((int)row.Kind & 7);
            statuses |= 1 << ((int)row.StatusCode & 7);
        }

        return new PageIndexEntry(page[0].Row.TraceId, page[^1].Row.TraceId, offset, length, page.Length)
        {
            MinStartUnixNano = minStart,
            MaxEndUnixNano = maxEnd,
            MaxDurationNanos = maxDuration,
            KindMask = (byte)kinds,
            StatusMask = (byte)statuses,
        };
    }

    private static void Collect(HashSet<Utf8Key> set, SpanBatch batch, Utf8Ref value)
    {
        if (!value.IsEmpty && set.Count < MaxListedValues)
        {
            set.Add(new Utf8Key(batch, value));
        }
    }

    private static string[] Sorted(HashSet<Utf8Key> set)
    {
        var values = new string[set.Count];
        var i = 0;
        foreach (var key in set)
        {
            values[i++] = key.ToString();
        }

        Array.Sort(values, StringComparer.Ordinal);
        return values;
    }

    private static int CountTraces(List<SpanRef> sorted)
    {
        var count = 0;
        for (var i = 0; i < sorted.Count; i++)
        {
            if (i == 0 || sorted[i].Row.TraceId != sorted[i - 1].Row.TraceId)
            {
                count++;
            }
        }

        return count;
    }

    private static void WriteDurably(IStorageDevice device, string path, byte[] bytes)
    {
        using var file = device.OpenOrCreate(path);
        file.SetLength(0);
        file.Write(0, bytes);
        file.Flush();
    }
}
