namespace Ariadne.Server.Configuration;

/// <summary>When small blocks are merged.</summary>
internal sealed class CompactionOptions
{
    /// <summary>Merged blocks stay under this size; blocks of half of it or more are left alone.</summary>
    public long MaxBlockBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Merge once at least this many small blocks exist.</summary>
    public int MinBlocks { get; set; } = 4;

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);
}
