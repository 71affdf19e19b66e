using Ariadne.Cli.LoadGen;
using Ariadne.Storage.Log;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Ariadne.Benchmarks.Storage;

/// <summary>Turns an ingest-log operation's mean time into batches, spans or megabytes per second.</summary>
internal sealed class IngestLogThroughputColumn : IColumn
{
    private const double NanosecondsPerSecond = 1e9;
    private const double BytesPerMegabyte = 1024 * 1024;

    private static readonly long RecordBytes =
        SpanBatchCodec.GetEncodedLength(RealisticSpans.Create(IngestLogBenchmarks.SpansPerBatch)) + LogRecordHeader.Size;

    private readonly Func<double, double> _perBatch;

    public IngestLogThroughputColumn(string name, Func<double, double> perBatch, string legend)
    {
        ColumnName = name;
        Id = nameof(IngestLogThroughputColumn) + name;
        Legend = legend;
        _perBatch = perBatch;
    }

    public static IngestLogThroughputColumn BatchesPerSecond { get; } = new("Batches/s", batches => batches, "durable batches per second");

    public static IngestLogThroughputColumn SpansPerSecond { get; } =
        new("Spans/s", batches => batches * IngestLogBenchmarks.SpansPerBatch, "durable spans per second");

    public static IngestLogThroughputColumn MegabytesPerSecond { get; } =
        new("MB/s", batches => batches * RecordBytes / BytesPerMegabyte, "log bytes made durable per second (MiB)");

    public string Id { get; }

    public string ColumnName { get; }

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend { get; }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null || benchmarkCase.Parameters["Writers"] is not int writers)
        {
            return "NA";
        }

        var batchesPerSecond = writers * IngestLogBenchmarks.BatchesPerWriter / (statistics.Mean / NanosecondsPerSecond);
        return _perBatch(batchesPerSecond).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;
}
