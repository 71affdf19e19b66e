namespace Ariadne.Storage.Log;

/// <summary>Segments closed by a roll, and how many log bytes they hold.</summary>
internal sealed record ClosedSegments(IReadOnlyList<string> Paths, long Bytes)
{
    public static ClosedSegments None { get; } = new([], 0);
}
