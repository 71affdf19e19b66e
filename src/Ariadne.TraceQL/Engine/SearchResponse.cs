using Ariadne.Model;
using Ariadne.TraceQL.Ast;

namespace Ariadne.TraceQL.Engine;

/// <summary>What a search found, shaped like Tempo's search response so the API layer only serializes it.</summary>
internal sealed record SearchResponse(IReadOnlyList<TraceSummary> Traces, SearchMetrics Metrics);

internal sealed record TraceSummary(
    TraceId TraceId,
    string RootServiceName,
    string RootTraceName,
    ulong StartTimeUnixNano,
    long DurationMs,
    IReadOnlyList<SpansetSummary> SpanSets,
    IReadOnlyDictionary<string, ServiceStats> ServiceStats)
{
    /// <summary>Every span of the trace, when the request asked for them.</summary>
    public SpanBatch? Trace { get; init; }
}

/// <summary>A matching spanset: some of its spans (spans per spanset), how many matched, and the by() values that formed it.</summary>
internal sealed record SpansetSummary(IReadOnlyList<SpanSummary> Spans, int Matched, IReadOnlyList<(string Name, StaticValue Value)> Attributes);

internal sealed record SpanSummary(SpanId SpanId, string Name, ulong StartTimeUnixNano, ulong DurationNanos, IReadOnlyList<(string Name, StaticValue Value)> Attributes);

internal sealed record ServiceStats(int SpanCount, int ErrorCount);

internal sealed class SearchMetrics
{
    public long InspectedTraces { get; set; }

    public long InspectedSpans { get; set; }
}
