namespace Ariadne.Server.Configuration;

/// <summary>How long and how much is kept, per tenant.</summary>
internal sealed class RetentionOptions
{
    /// <summary>Blocks whose newest span is older than this are deleted.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Above this many bytes of blocks, the oldest are deleted; 0 means no cap.</summary>
    public long MaxBytes { get; set; }
}
