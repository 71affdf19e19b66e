namespace Ariadne.Server.Configuration;

internal sealed class StorageOptions
{
    /// <summary>Where all data lives; <c>--data-dir</c> overrides it.</summary>
    public string Path { get; set; } = "./data";

    /// <summary>Size at which the ingest log starts a new segment, in MiB.</summary>
    public int WalSegmentSizeMib { get; set; } = 64;

    public BlockOptions Block { get; set; } = new();

    public CompactionOptions Compaction { get; set; } = new();

    public RetentionOptions Retention { get; set; } = new();
}
