namespace Ariadne.Storage;

/// <summary>A snapshot of the store's counters, for <c>/metrics</c> and logs.</summary>
internal sealed record StorageStatistics(
    long SpansStored,
    long TracesStored,
    long LogBytes,
    long RecordsReplayed,
    long TornRecordsTruncated,
    long FsyncCount,
    TimeSpan LastFsyncDuration,
    long FailedAppends);
