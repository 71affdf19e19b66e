namespace Ariadne.Cli.Bench;

/// <summary>What one <c>ariadne bench</c> run measured; serialized as results.json and rendered as results.md.</summary>
internal sealed class BenchResults
{
    public required RunStamp Run { get; init; }

    public List<IngestResult> Ingest { get; } = [];

    public List<StorageResult> Storage { get; } = [];

    public QueryResults? Query { get; set; }

    public PhysicalLimits? Limits { get; set; }

    public ClickHouseResults? ClickHouse { get; set; }
}

/// <summary>Where and when a run happened: numbers vary between machines, so each run says on what.</summary>
internal sealed record RunStamp(DateTimeOffset Date, int Cores, string Os, string Runtime, string Commit, string Command);

/// <summary>One sustained ingest run against a server process.</summary>
internal sealed record IngestResult(
    string Protocol,
    bool TailSampling,
    string Profile,
    int Workers,
    double Seconds,
    long AckedSpans,
    long ServerAcceptedSpans,
    bool CountsAgree,
    long RefusedSpans,
    long FailedSpans,
    double AckedSpansPerSecond,
    double LatencyP50Ms,
    double LatencyP99Ms,
    double ServerCpuSeconds,
    double ServerCpuCores,
    double ServerPeakRssMib,
    double RequestBytesPerSpan,
    double IngestLogBytesPerSecond);

/// <summary>Bytes on disk per stored span for one span profile; <c>DistinctSpans</c> of the spans sent were not replays of others with new trace ids.</summary>
internal sealed record StorageResult(string Profile, long Spans, long DistinctSpans, long StoredSpans, int Blocks, bool Compacted, long Bytes, double BytesPerSpan);

/// <summary>A query measured over HTTP: latency percentiles over <c>Runs</c> runs.</summary>
internal sealed record QueryTiming(string Name, string Query, int Limit, int Runs, double P50Ms, double P99Ms, int Results);

/// <summary>The query scenario: a store of <c>StoredSpans</c>, trace by id and TraceQL searches.</summary>
internal sealed record QueryResults(long StoredSpans, double BytesPerSpan, string LoadPath, double LoadSeconds, List<QueryTiming> Queries);

/// <summary>What the machine allows, and how close Ariadne's figures come.</summary>
internal sealed record PhysicalLimits(
    double FsyncWriteMBps,
    double DecoderMBps,
    double DecoderSpansPerSecond,
    double MemoryScanGBps,
    double? IngestLogMBps,
    double? IngestLogFractionOfFsync,
    double? IngestRequestMBps,
    double? IngestFractionOfDecoder,
    double? ScanSpansPerSecond,
    double? ScanFractionOfMemory);

/// <summary>The same spans in ClickHouse, with Jaeger v2's span table adapted to the installed release.</summary>
internal sealed record ClickHouseResults(string Version, long Spans, long Bytes, double BytesPerSpan, double LoadSeconds, double LoadSpansPerSecond, List<QueryTiming> Queries);
