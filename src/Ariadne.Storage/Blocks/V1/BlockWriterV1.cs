using System.Runtime.InteropServices;
using Ariadne.Model;
using Ariadne.Storage.Compression;
using Ariadne.Storage.IO;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Blocks.V1;

/// <summary>
/// Writes an immutable V1 block from whole traces given in ascending trace-id order: pages of whole
/// traces, then the sparse index, then the bloom filter, each fsynced, and meta.json last (written
/// aside and renamed), so a crash at any point leaves either a complete block or a folder without
/// meta that is never read. Only the page being filled is held, so memory does not grow with the
/// block: compaction streams any number of spans through it.
/// </summary>
internal sealed class BlockWriterV1 : IDisposable
{
    public const int FormatVersion = 1;

    /// <summary>Pages are cut at the first trace boundary past this many spans.</summary>
    public const int TargetPageSpans = 4096;

    /// <summary>A single trace longer than this is split over pages.</summary>
    public const int MaxPageSpans = TargetPageSpans * 4;

    /// <summary>A meta.json list shorter than this is complete, so a value missing from it is missing from the block.</summary>
    public const int MaxListedValues = 1000;

    private const int MaxListedOperations = 10_000;

    private readonly IStorageDevice _device;
    private readonly string _blocksDirectory;
    private readonly string _directory;
    private readonly string _tenant;
    private readonly PageCodec _codec;
    private readonly bool _wholePages;
    private readonly int _zstdLevel;
    private readonly Guid _blockId = Guid.CreateVersion7();
    private readonly IStorageFile _data;
    private readonly BloomFilter _bloom;
    private readonly List<PageIndexEntry> _entries = [];
    private readonly PageEncoder _encoder = new();
    private readonly List<SpanRef> _page = [];

    // The page being filled, copied together in the order it is written. A head's spans sit in hundreds
    // of batches and a page draws from nearly all of them; the encoder's passes over spans scattered
    // like that missed the cache on nearly every span, and over one batch laid out in order they do not.
    private SpanBatch _pageBatch = RentPageBatch();
    private readonly SpanCopier _pageCopier;

    // Page batches of finished writers: their tables have grown to a page's size, and a cut or merge
    // that started from empty tables would grow them again, page after page of garbage.
    private static readonly System.Collections.Concurrent.ConcurrentBag<SpanBatch> s_pageBatches = [];
    private const int MaxPooledPageBatches = 4;
    private const long MaxPooledPageBatchBytes = 64L * 1024 * 1024;
    private readonly HashSet<Utf8Key> _services = [];
    private readonly HashSet<Utf8Key> _names = [];
    private readonly HashSet<Utf8Key> _keys = [];
    private readonly HashSet<Utf8Key> _resourceKeys = [];

    // Resources already described for the page being filled (a resource is shared by many spans).
    private readonly HashSet<(SpanBatch Batch, int Resource)> _pageResources = [];
    private readonly HashSet<(Utf8Key Service, Utf8Key Name, SpanKind Kind)> _operations = [];

    // The listed values are copied here: a key into a source batch would keep that batch alive for as
    // long as the block is being written.
    private readonly SpanBatch _listed = new();
    private ulong _minStart = ulong.MaxValue;
    private ulong _maxEnd;
    private long _dataBytes;
    private long _uncompressed;
    private long _spans;
    private long _traces;
    private TraceId _lastTrace;

    private BlockWriterV1(IStorageDevice device, string blocksDirectory, string tenant, PageCodec codec, int expectedTraces, int zstdLevel, bool wholePages)
    {
        _wholePages = wholePages;
        _zstdLevel = zstdLevel;
        _device = device;
        _blocksDirectory = blocksDirectory;
        _tenant = tenant;
        _codec = codec;
        _directory = Path.Combine(blocksDirectory, _blockId.ToString("N"));
        device.CreateDirectory(_directory);
        _data = device.OpenOrCreate(Path.Combine(_directory, BlockFiles.Data));
        _data.SetLength(0);
        _bloom = BloomFilter.Create(expectedTraces);
        _pageCopier = new SpanCopier(_pageBatch);
    }

    /// <summary>
    /// Starts a block; <paramref name="expectedTraces"/> (an upper bound is fine) sizes the bloom filter.
    /// <paramref name="wholePages"/> writes pages compressed as one piece, as blocks were before columnar
    /// pages (kept so that reading such blocks stays tested).
    /// </summary>
    public static BlockWriterV1 Create(IStorageDevice device, string blocksDirectory, string tenant, PageCodec codec, int expectedTraces, int zstdLevel = PageCompressor.ZstdLevel, bool wholePages = false) =>
        new(device, blocksDirectory, tenant, codec, expectedTraces, zstdLevel, wholePages);

    /// <summary>Writes the spans (of any traces, in any order) as one block.</summary>
    public static BlockMeta Write(IStorageDevice device, string blocksDirectory, string tenant, List<SpanRef> spans, PageCodec codec, int zstdLevel = PageCompressor.ZstdLevel)
    {
        SortByTrace(spans);

        using var writer = Create(device, blocksDirectory, tenant, codec, CountTraces(spans), zstdLevel);
        var all = CollectionsMarshal.AsSpan(spans);
        for (var start = 0; start < all.Length;)
        {
            var end = start + 1;
            while (end < all.Length && all[end].Row.TraceId == all[start].Row.TraceId)
            {
                end++;
            }

            writer.AddTrace(all[start..end]);
            start = end;
        }

        return writer.Complete();
    }

    /// <summary>
    /// Orders spans by trace id, then start time. Each span's keys are read out of its batch once and
    /// sorted where they lie together, instead of every comparison reading two rows of two batches.
    /// </summary>
    internal static void SortByTrace(List<SpanRef> spans)
    {
        var count = spans.Count;
        var keys = System.Buffers.ArrayPool<TraceOrder>.Shared.Rent(count);
        var copy = System.Buffers.ArrayPool<SpanRef>.Shared.Rent(count);
        try
        {
            var all = CollectionsMarshal.AsSpan(spans);
            for (var i = 0; i < count; i++)
            {
                ref readonly var row = ref all[i].Row;
                keys[i] = new TraceOrder(row.TraceId.High, row.TraceId.Low, row.StartTimeUnixNano, i);
            }

            keys.AsSpan(0, count).Sort();
            all.CopyTo(copy);
            for (var i = 0; i < count; i++)
            {
                all[i] = copy[keys[i].Index];
            }
        }
        finally
        {
            System.Buffers.ArrayPool<SpanRef>.Shared.Return(copy, clearArray: true);
            System.Buffers.ArrayPool<TraceOrder>.Shared.Return(keys);
        }
    }

    /// <summary>Adds every span of one trace, sorted as it should be stored; trace ids must ascend.</summary>
    public void AddTrace(ReadOnlySpan<SpanRef> spans)
    {
        if (spans.IsEmpty)
        {
            return;
        }

        var traceId = spans[0].Row.TraceId;
        if (_traces > 0 && traceId <= _lastTrace)
        {
            throw new InvalidOperationException("traces must be added in ascending trace-id order, each once");
        }

        _lastTrace = traceId;
        _traces++;
        _bloom.Add(traceId);
        foreach (var span in spans)
        {
            var copied = new SpanRef(_pageBatch, _pageCopier.CopySpan(span.Batch, span.Index));
            Describe(copied);
            _page.Add(copied);
            if (_page.Count >= MaxPageSpans)
            {
                WritePage();
            }
        }

        if (_page.Count >= TargetPageSpans)
        {
            WritePage();
        }
    }

    /// <summary>Writes the last page, the index, the bloom filter and meta.json; the block is then complete.</summary>
    public BlockMeta Complete()
    {
        if (_page.Count > 0)
        {
            WritePage();
        }

        _data.Flush();
        var index = PageIndex.Serialize(_entries);
        WriteDurably(Path.Combine(_directory, BlockFiles.Index), index);
        var bloomBytes = _bloom.Serialize();
        WriteDurably(Path.Combine(_directory, BlockFiles.Bloom), bloomBytes);

        var meta = new BlockMeta
        {
            FormatVersion = FormatVersion,
            BlockId = _blockId,
            Tenant = _tenant,
            CreatedAt = DateTimeOffset.UtcNow,
            MinStartTimeUnixNano = _spans == 0 ? 0 : _minStart,
            MaxEndTimeUnixNano = _maxEnd,
            SpanCount = _spans,
            TraceCount = _traces,
            PageCount = _entries.Count,
            Codec = _codec.ToString().ToLowerInvariant(),
            DataBytes = _dataBytes,
            IndexBytes = index.Length,
            BloomBytes = bloomBytes.Length,
            UncompressedBytes = _uncompressed,
            Services = Sorted(_services),
            SpanNames = Sorted(_names),
            AttributeKeys = Sorted(_keys),
            ResourceAttributeKeys = Sorted(_resourceKeys),
            Operations = _operations
                .Select(o => new BlockOperation(o.Service.ToString(), o.Name.ToString(), o.Kind.ToString().ToLowerInvariant()))
                .OrderBy(o => o.Service, StringComparer.Ordinal).ThenBy(o => o.Name, StringComparer.Ordinal).ThenBy(o => o.Kind, StringComparer.Ordinal)
                .ToArray(),
        };
        WriteDurably(Path.Combine(_directory, BlockFiles.MetaTemporary), BlockMetaJson.Serialize(meta));
        _device.Move(Path.Combine(_directory, BlockFiles.MetaTemporary), Path.Combine(_directory, BlockFiles.Meta));
        _device.SyncDirectory(_directory);
        _device.SyncDirectory(_blocksDirectory);
        return meta;
    }

    private void Describe(SpanRef span)
    {
        var batch = span.Batch;
        ref readonly var row = ref span.Row;
        _spans++;
        _minStart = Math.Min(_minStart, row.StartTimeUnixNano);
        _maxEnd = Math.Max(_maxEnd, row.EndTimeUnixNano);
        var service = batch.ServiceNameOf(row);
        var serviceKey = Collect(_services, batch, service);
        var nameKey = Collect(_names, batch, row.Name);
        if (_operations.Count < MaxListedOperations)
        {
            // The listed copies hash and compare as the span's own bytes do: no need to hash those again.
            var operation = (serviceKey ?? new Utf8Key(batch, service), nameKey ?? new Utf8Key(batch, row.Name), row.Kind);
            if (!_operations.Contains(operation))
            {
                _operations.Add((serviceKey ?? Own(batch, service), nameKey ?? Own(batch, row.Name), row.Kind));
            }
        }

        var resource = batch.Scopes[row.ScopeIndex].ResourceIndex;
        if (_pageResources.Add((batch, resource)))
        {
            foreach (ref readonly var kv in batch.AttributesOf(batch.Resources[resource].Attributes))
            {
                Collect(_resourceKeys, batch, kv.Key);
            }
        }
    }

    /// <summary>Adds the value to the set if it has room; returns the set's own copy of it, if it holds one.</summary>
    private Utf8Key? Collect(HashSet<Utf8Key> set, SpanBatch batch, Utf8Ref value)
    {
        return value.IsEmpty ? null : Collect(set, new Utf8Key(batch, value));
    }

    /// <summary>Adds the key (unless empty) to the set if it has room; returns the set's own copy of it, if it holds one.</summary>
    private Utf8Key? Collect(HashSet<Utf8Key> set, Utf8Key key)
    {
        if (key.Bytes.IsEmpty)
        {
            return null;
        }

        if (set.TryGetValue(key, out var owned))
        {
            return owned;
        }

        if (set.Count >= MaxListedValues)
        {
            return null;
        }

        owned = new Utf8Key(_listed, _listed.AddString(key.Bytes));
        set.Add(owned);
        return owned;
    }

    private Utf8Key Own(SpanBatch batch, Utf8Ref value) => new(_listed, _listed.AddString(batch.Utf8(value)));

    private void WritePage()
    {
        var pageSpans = CollectionsMarshal.AsSpan(_page);
        var payload = _encoder.Encode(pageSpans);

        // The encoder has looked up the page's span attribute keys already: list each distinct one once
        // (in the order they first appear, as listing them span by span would).
        for (var k = 0; k < _encoder.PageKeyCount; k++)
        {
            Collect(_keys, _encoder.PageKey(k));
        }

        byte[] page;
        if (_wholePages)
        {
            var stored = PageCompressor.Compress(payload, _codec, _zstdLevel);
            page = new byte[PageHeader.Size + stored.Length];
            stored.CopyTo(page.AsSpan(PageHeader.Size));
            new PageHeader(_codec, payload.Length, stored.Length, pageSpans.Length, Crc32C.Compute(stored), PageHeader.WholeVersion).Write(page);
        }
        else
        {
            page = StoredPage.Build(payload, _encoder, pageSpans.Length, _codec, _zstdLevel);
        }

        _data.Write(_dataBytes, page);
        _entries.Add(IndexEntry(pageSpans, _dataBytes, page.Length));
        _dataBytes += page.Length;
        _uncompressed += payload.Length;
        _page.Clear();
        _pageResources.Clear();
        _pageBatch.Clear();
        _pageCopier.Clear();
    }

    private static PageIndexEntry IndexEntry(ReadOnlySpan<SpanRef> page, long offset, int length)
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

    /// <summary>A span's place in a block's order: trace id, start time, then where it was, so equal keys keep their order.</summary>
    private readonly struct TraceOrder(ulong high, ulong low, ulong start, int index) : IComparable<TraceOrder>
    {
        private readonly ulong _high = high;
        private readonly ulong _low = low;
        private readonly ulong _start = start;

        public int Index { get; } = index;

        public int CompareTo(TraceOrder other) =>
            _high != other._high ? _high.CompareTo(other._high)
            : _low != other._low ? _low.CompareTo(other._low)
            : _start != other._start ? _start.CompareTo(other._start)
            : Index.CompareTo(other.Index);
    }

    private void WriteDurably(string path, byte[] bytes)
    {
        using var file = _device.OpenOrCreate(path);
        file.SetLength(0);
        file.Write(0, bytes);
        file.Flush();
    }

    /// <summary>Gives up on the block: its folder, which never got a meta.json, is removed.</summary>
    public void Abandon()
    {
        _data.Dispose();
        _device.DeleteDirectory(_directory);
    }

    public void Dispose()
    {
        _data.Dispose();
        var batch = _pageBatch;
        _pageBatch = null!;
        if (batch is not null && s_pageBatches.Count < MaxPooledPageBatches && batch.CapacityBytes <= MaxPooledPageBatchBytes)
        {
            batch.Clear();
            s_pageBatches.Add(batch);
        }
    }

    private static SpanBatch RentPageBatch() => s_pageBatches.TryTake(out var batch) ? batch : new SpanBatch();
}
