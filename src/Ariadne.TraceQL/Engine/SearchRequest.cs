namespace Ariadne.TraceQL.Engine;

/// <summary>The knobs of a search besides the query: time range, how many traces and spans per spanset, and trace duration bounds.</summary>
internal sealed class SearchRequest
{
    /// <summary>Unix nanoseconds, 0 = unbounded.</summary>
    public ulong StartUnixNanos { get; init; }

    /// <summary>Unix nanoseconds, 0 = unbounded.</summary>
    public ulong EndUnixNanos { get; init; }

    /// <summary>Traces to return; 0 = the default (20). Capped by <see cref="TraceQLEngine.MaxLimit"/>.</summary>
    public int Limit { get; init; }

    /// <summary>Spans returned per spanset; 0 = the default (3).</summary>
    public int SpansPerSpanSet { get; init; }

    /// <summary>Only traces at least this long (nanoseconds), when set.</summary>
    public long? MinTraceDurationNanos { get; init; }

    /// <summary>Only traces at most this long (nanoseconds), when set.</summary>
    public long? MaxTraceDurationNanos { get; init; }

    /// <summary>Return every span of each matching trace with its summary (for APIs that answer with whole traces).</summary>
    public bool IncludeTraces { get; init; }
}
