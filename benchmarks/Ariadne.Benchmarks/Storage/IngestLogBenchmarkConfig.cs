using BenchmarkDotNet.Configs;

namespace Ariadne.Benchmarks.Storage;

/// <summary>Adds throughput columns; the default job and columns stay as configured on the command line.</summary>
public sealed class IngestLogBenchmarkConfig : ManualConfig
{
    public IngestLogBenchmarkConfig()
    {
        AddColumn(IngestLogThroughputColumn.BatchesPerSecond, IngestLogThroughputColumn.SpansPerSecond, IngestLogThroughputColumn.MegabytesPerSecond);
    }
}
