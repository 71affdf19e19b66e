using Ariadne.Model;
using Ariadne.Storage.Compression;
using Ariadne.Storage.IO;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Blocks.V1;

/// <summary>
/// Reads one V1 block. Trace by id: the bloom filter first (most blocks stop here), then the index to
/// the pages whose trace-id range holds the id, then only those pages, each checked against its CRC.
/// Damage anywhere throws <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class BlockReaderV1 : IDisposable
{
    private readonly IStorageFile _data;
    private readonly PageIndexEntry[] _pages;
    private readonly BloomFilter _bloom;

    private BlockReaderV1(string directory, BlockMeta meta, IStorageFile data, PageIndexEntry[] pages, BloomFilter bloom)
    {
        Directory = directory;
        Meta = meta;
        _data = data;
        _pages = pages;
        _bloom = bloom;
    }

    public string Directory { get; }

    public BlockMeta Meta { get; }

    public static BlockReaderV1 Open(IStorageDevice device, string directory)
    {
        var meta = BlockMetaJson.Deserialize(device.ReadAllBytes(Path.Combine(directory, BlockFiles.Meta)));
        if (meta.FormatVersion != BlockWriterV1.FormatVersion)
        {
            throw new InvalidDataException($"block format version {meta.FormatVersion} is not V1");
        }

        var data = device.OpenOrCreate(Path.Combine(directory, BlockFiles.Data));
        try
        {
            if (data.Length != meta.DataBytes)
            {
                throw new InvalidDataException($"data file is {data.Length} bytes, meta.json says {meta.DataBytes}");
            }

            var pages = PageIndex.Deserialize(device.ReadAllBytes(Path.Combine(directory, BlockFiles.Index)), data.Length);
            var bloom = BloomFilter.Deserialize(device.ReadAllBytes(Path.Combine(directory, BlockFiles.Bloom)));
            return new BlockReaderV1(directory, meta, data, pages, bloom);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    public bool MightContain(TraceId traceId) => _bloom.MightContain(traceId);

    /// <summary>Adds the trace's spans found in this block to <paramref name="found"/>; returns how many.</summary>
    public int ReadTrace(TraceId traceId, List<SpanRef> found)
    {
        if (!_bloom.MightContain(traceId))
        {
            return 0;
        }

        var added = 0;
        var first = FirstPageThatMayHold(traceId);
        for (var p = first; p < _pages.Length && _pages[p].FirstTraceId <= traceId; p++)
        {
            if (_pages[p].LastTraceId < traceId)
            {
                continue;
            }

            var page = ReadPage(p, traceId);
            for (var i = 0; i < page.SpanCount; i++)
            {
                if (page.Spans[i].TraceId == traceId)
                {
                    found.Add(new SpanRef(page, i));
                    added++;
                }
            }
        }

        return added;
    }

    /// <summary>Every page decoded, in order; used by compaction and checks.</summary>
    public IEnumerable<SpanBatch> ReadAllPages()
    {
        for (var p = 0; p < _pages.Length; p++)
        {
            yield return ReadPage(p);
        }
    }

    public int PageCount => _pages.Length;

    public SpanBatch ReadPage(int index) => ReadPage(index, only: null);

    /// <summary>Reads and checks a page; with <paramref name="only"/>, only that trace's spans are materialized.</summary>
    public SpanBatch ReadPage(int index, TraceId? only)
    {
        var batch = ReadStoredPage(index).DecodeRows(only);
        if (only is null && batch.SpanCount != _pages[index].SpanCount)
        {
            throw new InvalidDataException($"page {index} holds {batch.SpanCount} spans, its index entry says {_pages[index].SpanCount}");
        }

        return batch;
    }

    /// <summary>The page index entries: where each page is and what it may hold.</summary>
    public ReadOnlySpan<PageIndexEntry> Pages => _pages;

    /// <summary>Reads a page, checks its CRC and returns the decompressed payload, undecoded.</summary>
    public byte[] ReadPayload(int index) => ReadStoredPage(index).Payload();

    /// <summary>Reads a page and checks its CRC; nothing is decompressed until a column is asked for.</summary>
    public StoredPage ReadStoredPage(int index)
    {
        var entry = _pages[index];
        var bytes = new byte[entry.Length];
        if (_data.Read(entry.Offset, bytes) != bytes.Length)
        {
            throw new InvalidDataException($"page {index} is cut short");
        }

        StoredPage page;
        try
        {
            page = StoredPage.Parse(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"page {index}: {e.Message}", e);
        }

        if (page.SpanCount != entry.SpanCount)
        {
            throw new InvalidDataException($"page {index} header says {page.SpanCount} spans, its index entry {entry.SpanCount}");
        }

        return page;
    }

    private int FirstPageThatMayHold(TraceId traceId)
    {
        // The first page whose last trace id is not below the one sought.
        int lo = 0, hi = _pages.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_pages[mid].LastTraceId < traceId)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    public void Dispose() => _data.Dispose();
}
