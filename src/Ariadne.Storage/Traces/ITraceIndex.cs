using Ariadne.Model;
using Ariadne.Storage.Blocks.V1;

namespace Ariadne.Storage.Traces;

/// <summary>The head: recent spans by trace id, until a flush writes them into a block.</summary>
internal interface ITraceIndex
{
    long SpanCount { get; }

    long TraceCount { get; }

    /// <summary>
    /// Indexes every span of the batch; returns how many. A span already present (same trace id and
    /// span id) is read once, the first copy (first write wins), but counted until the cut.
    /// </summary>
    int Add(SpanBatch batch);

    /// <summary>As <see cref="Add(SpanBatch)"/>, for a batch whose <see cref="Log.SpanRecord"/> payload the caller already has.</summary>
    int Add(byte[] record, SpanBatch batch);

    /// <summary>Adds the trace's spans to <paramref name="found"/>.</summary>
    void CollectTrace(TraceId traceId, List<SpanRef> found);

    /// <summary>Adds the (service, name, kind) of every span held.</summary>
    void CollectOperations(HashSet<SpanOperation> operations);

    bool Contains(TraceId traceId);

    /// <summary>How many spans of the trace are held, repeats included; 0 when none.</summary>
    int SpanCountOf(TraceId traceId);

    /// <summary>The ids of the traces held now.</summary>
    List<TraceId> TraceIds();

    /// <summary>
    /// Every trace held, in order of first arrival, split by whether it has had no new span for
    /// <paramref name="idlePeriod"/> (complete) or has (live). Nothing is decoded.
    /// </summary>
    (TraceSelection Complete, TraceSelection Live) SplitByIdle(TimeSpan idlePeriod);

    /// <summary>
    /// Every span of the selected traces (chosen from this index), trace after trace, each in arrival
    /// order, each once. Only the batches those spans lie in are decoded.
    /// </summary>
    List<SpanRef> SpansOf(TraceSelection traces);

    /// <summary>Every span held, each once.</summary>
    List<SpanRef> AllSpans();

    /// <summary>Every batch held, decoded, each once (a batch may also hold rows that are not, or no longer, indexed).</summary>
    List<SpanBatch> Batches();
}
