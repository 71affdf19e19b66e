using Ariadne.Storage.IO;

namespace Ariadne.Storage.Log;

internal sealed class IngestLogOptions
{
    public required string Directory { get; init; }

    public IStorageDevice Device { get; init; } = FileSystemDevice.Instance;

    /// <summary>A segment is closed and a new one started once it passes this size.</summary>
    public long SegmentSizeBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Appends waiting for the writer beyond this many make callers wait (back-pressure).</summary>
    public int MaxQueuedAppends { get; init; } = 4096;

    /// <summary>One group commit writes at most this many bytes before its fsync.</summary>
    public int MaxGroupBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>
    /// The largest record an append may build; its buffer is pooled, and this bounds what one caller can
    /// make the process hold. Reading accepts up to <see cref="LogRecordHeader.MaxPayloadLength"/>.
    /// </summary>
    public int MaxRecordBytes { get; init; } = 256 * 1024 * 1024;

    /// <summary>
    /// How long the writer waits, once it has an append, for more to share the fsync. Zero writes as
    /// soon as the writer is free: appends that queue during an fsync still share the next one.
    /// </summary>
    public TimeSpan MaxGroupCommitDelay { get; init; } = TimeSpan.Zero;
}
