namespace Ariadne.Storage.Search;

/// <summary>What a scan read and what it skipped, for the search APIs' metrics and for tests of pruning.</summary>
internal sealed class ScanMetrics
{
    public long BlocksSkipped { get; set; }

    public long PagesSkippedByIndex { get; set; }

    public long PagesSkippedByStrings { get; set; }

    /// <summary>Pages whose columns showed that no span matches, so their rows were never decoded.</summary>
    public long PagesSkippedByColumns { get; set; }

    public long PagesDecoded { get; set; }

    /// <summary>Stored (compressed) page bytes read from blocks.</summary>
    public long BytesRead { get; set; }

    public long SpansInspected { get; set; }

    public long TracesYielded { get; set; }

    /// <summary>Time spent in the head (Stopwatch ticks), apart from the blocks.</summary>
    public long HeadTicks { get; set; }

    /// <summary>Spans of the head tested.</summary>
    public long HeadSpansInspected { get; set; }
}
