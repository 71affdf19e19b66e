using System.Diagnostics.CodeAnalysis;
using Ariadne.Model;

namespace Ariadne.Storage.Traces;

/// <summary>Finds the spans of a trace. The in-memory index serves until columnar blocks take over.</summary>
internal interface ITraceIndex
{
    long SpanCount { get; }

    long TraceCount { get; }

    /// <summary>Indexes every span of the batch not already present (same trace id and span id); returns how many were new.</summary>
    int Add(SpanBatch batch);

    bool TryGetTrace(TraceId traceId, [NotNullWhen(true)] out SpanBatch? trace);
}
