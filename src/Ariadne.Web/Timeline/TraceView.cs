using Ariadne.Analysis.Traces;
using Ariadne.Model;

namespace Ariadne.Web.Timeline;

/// <summary>
/// One trace prepared for display: its span tree, the clock-skew adjustment, the critical path computed
/// on the adjusted times, the summary, and the spans in the order the waterfall shows them.
/// </summary>
// Public only so Razor components (always public) can take it as a parameter; its members stay internal.
public sealed class TraceView
{
    private readonly Dictionary<SpanId, int> _bySpanId;

    private TraceView(string key, SpanTree tree, ClockSkewAdjustment skew, CriticalPath path, TraceSummary summary, int[] order)
    {
        Key = key;
        Tree = tree;
        Skew = skew;
        Path = path;
        Summary = summary;
        Order = order;
        _bySpanId = new Dictionary<SpanId, int>(tree.Count);
        for (var i = 0; i < tree.Count; i++)
        {
            _bySpanId.TryAdd(tree.Span(i).SpanId, i);
        }
    }

    /// <summary>Names this view in the timeline URL: a trace id, or an upload's key.</summary>
    internal string Key { get; }

    internal SpanTree Tree { get; }

    internal SpanBatch Trace => Tree.Trace;

    internal ClockSkewAdjustment Skew { get; }

    internal CriticalPath Path { get; }

    internal TraceSummary Summary { get; }

    /// <summary>Span indexes in display order: each span followed by its children by start time, orphans as roots.</summary>
    internal int[] Order { get; }

    internal static TraceView Build(string key, SpanBatch trace)
    {
        var tree = SpanTree.Build(trace);
        var skew = ClockSkewAdjustment.Compute(tree);
        var path = CriticalPath.Compute(skew);
        var summary = TraceSummary.Compute(tree);
        return new TraceView(key, tree, skew, path, summary, tree.PreOrder.ToArray());
    }

    internal bool TryFind(SpanId spanId, out int span) => _bySpanId.TryGetValue(spanId, out span);
}
