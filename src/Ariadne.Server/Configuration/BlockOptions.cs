namespace Ariadne.Server.Configuration;

/// <summary>When the head is cut into a block.</summary>
internal sealed class BlockOptions
{
    /// <summary>Cut when the head holds this many spans.</summary>
    public long MaxHeadSpans { get; set; } = 250_000;

    /// <summary>
    /// A cut writes blocks of whole traces holding at most this many spans (a longer trace gets a block
    /// of its own), decoding one block's spans at a time: what a cut holds in memory at once.
    /// </summary>
    public long CutBlockSpans { get; set; } = 65_536;

    /// <summary>Cut at least this often while the head holds spans.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A trace without a new span for this long is complete and goes into the next block; live traces stay in the head.</summary>
    public TimeSpan TraceIdlePeriod { get; set; } = TimeSpan.FromSeconds(10);
}
