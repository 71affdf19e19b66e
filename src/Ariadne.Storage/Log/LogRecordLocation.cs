namespace Ariadne.Storage.Log;

/// <summary>Where a log record is: its sequence, the segment (named by its first sequence) and the offset in it.</summary>
internal readonly record struct LogRecordLocation(long Sequence, long SegmentFirstSequence, long Offset);
