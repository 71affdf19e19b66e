namespace Ariadne.Storage.Search;

/// <summary>
/// What a scan looks for. Predicates let the store skip blocks and pages, and are checked on rows;
/// they never narrow more than they say, so a query engine can re-check exactly what it needs.
/// </summary>
internal sealed class SpanScanRequest
{
    /// <summary>Unix nanoseconds, 0 = unbounded: a trace qualifies when one of its spans overlaps the range.</summary>
    public ulong StartUnixNano { get; init; }

    /// <summary>Unix nanoseconds, 0 = unbounded.</summary>
    public ulong EndUnixNano { get; init; }

    /// <summary>
    /// How far apart in time the spans of one trace may be. Blocks and pages are skipped on time only
    /// when they end this long before the range or start this long after it: the span that matches may
    /// lie outside the range while another span of its trace, stored elsewhere, lies inside.
    /// </summary>
    public ulong TraceTimeSlackNanos { get; init; } = 3_600_000_000_000;

    public IReadOnlyList<SpanPredicate> Predicates { get; init; } = [];

    /// <summary>
    /// True: a trace qualifies when one span meets every predicate. False: when a span meets any.
    /// With no predicates every trace in range qualifies.
    /// </summary>
    public bool MatchAll { get; init; } = true;

    /// <summary>Filled in as the scan runs, when given.</summary>
    public ScanMetrics? Metrics { get; init; }

    /// <summary>Spans per yielded batch before it is handed out (whole traces are never split).</summary>
    public int BatchSpans { get; init; } = 1024;

    /// <summary>When to stop with <see cref="OperationCanceledException"/> (<see cref="System.Diagnostics.Stopwatch"/> timestamp; 0: never).</summary>
    public long Deadline { get; init; }

    /// <summary>Throws when the token is cancelled or the deadline has passed.</summary>
    public void ThrowIfStopped(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Deadline != 0 && System.Diagnostics.Stopwatch.GetTimestamp() > Deadline)
        {
            throw new OperationCanceledException("the scan ran past its deadline");
        }
    }
}
