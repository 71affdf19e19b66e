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
    long FailedAppends)
{
    /// <summary>Log records that passed their checksums but did not decode into a valid batch; skipped on replay.</summary>
    public long RecordsRejected { get; init; }

    /// <summary>Damaged stretches of the log followed by valid records (corruption, not a crash): skipped, kept on disk.</summary>
    public long CorruptLogRegions { get; init; }

    /// <summary>Spans not yet written into a block.</summary>
    public long HeadSpans { get; init; }

    public int Blocks { get; init; }

    public long BlockBytes { get; init; }

    /// <summary>Blocks moved aside because a checksum or structure check failed.</summary>
    public long BlocksQuarantined { get; init; }

    /// <summary>Bytes appended to the ingest log since the store opened.</summary>
    public long LogWrittenBytes { get; init; }

    /// <summary>The ingest log's fsync latencies.</summary>
    public Log.LatencyHistogram? FsyncLatency { get; init; }

    /// <summary>Block folders without meta.json (a crash during a flush) removed on open.</summary>
    public long IncompleteBlocksRemoved { get; init; }
}
