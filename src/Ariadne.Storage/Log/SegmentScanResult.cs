namespace Ariadne.Storage.Log;

/// <summary>What reading one segment found; <see cref="GoodLength"/> is where its torn tail (if any) starts.</summary>
internal readonly record struct SegmentScanResult(long Records, long LastSequence, long GoodLength, long CorruptRegions, long CorruptBytesSkipped);
