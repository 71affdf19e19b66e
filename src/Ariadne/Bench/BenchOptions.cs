namespace Ariadne.Cli.Bench;

/// <summary>What <c>ariadne bench</c> was asked to run.</summary>
internal sealed record BenchOptions(
    string Scenario,
    TimeSpan Duration,
    long QuerySpans,
    long StorageSpans,
    string? Profile,
    int Workers,
    int SpansPerRequest,
    bool CompareClickHouse,
    string? ResultsDirectory,
    bool Json)
{
    /// <summary>The profile the ingest runs send: the one asked for, else realistic.</summary>
    public string IngestProfile => Profile ?? "realistic";
}
