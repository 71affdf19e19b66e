namespace Ariadne.Storage.Log;

/// <summary>What opening the log found.</summary>
/// <param name="RecordsReplayed">Valid records handed to the replay callback.</param>
/// <param name="TornRecordsTruncated">Segments whose damaged tail (nothing valid after it) was cut off.</param>
/// <param name="BytesTruncated">Bytes removed with those tails.</param>
/// <param name="NextSequence">The sequence number the next append gets.</param>
/// <param name="CorruptRegions">Damaged stretches followed by valid records: skipped, never truncated.</param>
/// <param name="CorruptBytesSkipped">Bytes in those stretches.</param>
internal sealed record LogReplayResult(
    long RecordsReplayed,
    long TornRecordsTruncated,
    long BytesTruncated,
    long NextSequence,
    long CorruptRegions = 0,
    long CorruptBytesSkipped = 0);
