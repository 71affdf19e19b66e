namespace Ariadne.Storage.Log;

/// <summary>What opening the log found.</summary>
internal sealed record LogReplayResult(long RecordsReplayed, long TornRecordsTruncated, long BytesTruncated, long NextSequence);
