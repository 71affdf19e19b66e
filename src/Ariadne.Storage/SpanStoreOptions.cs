using Ariadne.Storage.IO;

namespace Ariadne.Storage;

internal sealed class SpanStoreOptions
{
    /// <summary>The tenant's directory; the ingest log lives in its <c>wal</c> folder.</summary>
    public string DataDirectory { get; set; } = "./data/single-tenant";

    public IStorageDevice Device { get; set; } = FileSystemDevice.Instance;

    public long SegmentSizeBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// How long the log's writer waits for more appends to share one fsync; null or zero writes as soon
    /// as the writer is free (appends arriving during an fsync still share the next one).
    /// </summary>
    public TimeSpan? MaxGroupCommitDelay { get; set; }

    /// <summary>Appends queued for the writer beyond this many wait (back-pressure).</summary>
    public int MaxQueuedAppends { get; set; } = 4096;

    /// <summary>The largest encoded batch accepted; a larger one fails as unavailable.</summary>
    public int MaxRecordBytes { get; set; } = 256 * 1024 * 1024;

    public string Tenant { get; set; } = "single-tenant";

    /// <summary>Compression of block pages; zstd when the system library is present.</summary>
    public Compression.PageCodec Codec { get; set; } = Compression.PageCompressor.Preferred;
}
