namespace Ariadne.TraceQL.Fetch;

/// <summary>What a query needs from storage: a time range and the conditions spans must meet.</summary>
internal sealed class FetchSpansRequest
{
    /// <summary>Unix nanoseconds, 0 = unbounded; a trace qualifies if one of its spans overlaps [Start, End].</summary>
    public ulong StartUnixNanos { get; init; }

    /// <summary>Unix nanoseconds, 0 = unbounded.</summary>
    public ulong EndUnixNanos { get; init; }

    public IReadOnlyList<Condition> Conditions { get; init; } = [];

    /// <summary>
    /// True: a trace qualifies only if one span meets every condition. False: if a span meets any.
    /// With no conditions, every trace in range qualifies.
    /// </summary>
    public bool AllConditions { get; init; }

    /// <summary>
    /// When the query must stop (<see cref="System.Diagnostics.Stopwatch"/> timestamp; 0: never). Fetchers
    /// check it as they go, so a timeout holds even while every thread-pool thread is busy and the timer
    /// that cancels the query's token cannot run.
    /// </summary>
    public long Deadline { get; init; }
}
