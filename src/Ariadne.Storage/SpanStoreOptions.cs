using Ariadne.Storage.IO;

namespace Ariadne.Storage;

internal sealed class SpanStoreOptions
{
    /// <summary>The tenant's directory; the ingest log lives in its <c>wal</c> folder.</summary>
    public string DataDirectory { get; set; } = "./data/single-tenant";

    public IStorageDevice Device { get; set; } = FileSystemDevice.Instance;

    public long SegmentSizeBytes { get; set; } = 64L * 1024 * 1024;

    public string Tenant { get; set; } = "single-tenant";

    /// <summary>Compression of block pages; zstd when the system library is present.</summary>
    public Compression.PageCodec Codec { get; set; } = Compression.PageCompressor.Preferred;
}
