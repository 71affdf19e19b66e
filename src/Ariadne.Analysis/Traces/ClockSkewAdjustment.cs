using Ariadne.Model;

namespace Ariadne.Analysis.Traces;

/// <summary>
/// Start times corrected for clocks that disagree between processes, for display only: the trace is
/// not modified and nothing is stored. Follows Jaeger's clock-skew adjuster. Walking from the roots,
/// a span on a different resource (another process, so possibly another clock) than its parent is
/// compared with its parent's already adjusted times:
/// <list type="bullet">
/// <item>if it fits inside the parent, it stays;</item>
/// <item>if it is longer than the parent, only a start before the parent's is corrected, by aligning the
/// two starts (an async child or a parent that timed out can legitimately end later);</item>
/// <item>otherwise it is centred in the parent, assuming the network took as long each way.</item>
/// </list>
/// The delta found moves the span's whole subtree on the same resource; a descendant on yet another
/// resource is compared with its own parent again.
/// </summary>
internal sealed class ClockSkewAdjustment
{
    private readonly SpanTree _tree;
    private readonly long[] _deltas;

    private ClockSkewAdjustment(SpanTree tree, long[] deltas, ClockSkewWarning[] warnings)
    {
        _tree = tree;
        _deltas = deltas;
        Warnings = warnings;
        var starts = new ulong[deltas.Length];
        var ends = new ulong[deltas.Length];
        for (var i = 0; i < deltas.Length; i++)
        {
            starts[i] = Durations.Shift(tree.StartOf(i), deltas[i]);
            ends[i] = Durations.Shift(tree.EndOf(i), deltas[i]);
        }

        AdjustedStarts = starts;
        AdjustedEnds = ends;
    }

    /// <summary>One per span that was moved or whose computed move was refused, in tree order.</summary>
    public IReadOnlyList<ClockSkewWarning> Warnings { get; }

    /// <summary>Start times after adjustment, indexed by span row.</summary>
    public ulong[] AdjustedStarts { get; }

    /// <summary>End times after adjustment (durations never change), indexed by span row.</summary>
    public ulong[] AdjustedEnds { get; }

    /// <summary>Nanoseconds added to the span's start, end and event times; negative moves it earlier.</summary>
    public long DeltaOf(int span) => _deltas[span];

    public ulong AdjustedStartOf(int span) => AdjustedStarts[span];

    public bool IsAdjusted(int span) => _deltas[span] != 0;

    public SpanTree Tree => _tree;

    /// <param name="tree">The trace.</param>
    /// <param name="maxDeltaNanos">
    /// Largest shift applied; a larger one is reported but not applied (Jaeger's
    /// <c>max-clock-skew-adjustment</c>). 0 turns adjustment off and only reports.
    /// </param>
    public static ClockSkewAdjustment Compute(SpanTree tree, long maxDeltaNanos = long.MaxValue)
    {
        var deltas = new long[tree.Count];
        var shiftedWith = new int[tree.Count];
        var warnings = new List<ClockSkewWarning>();
        foreach (var span in tree.PreOrder)
        {
            shiftedWith[span] = span;
            var parent = tree.ParentOf(span);
            if (parent < 0)
            {
                continue;
            }

            if (tree.ResourceKeyOf(span) == tree.ResourceKeyOf(parent))
            {
                // Same process, same clock: the span moves with its parent.
                deltas[span] = deltas[parent];
                shiftedWith[span] = shiftedWith[parent];
                if (deltas[span] != 0)
                {
                    warnings.Add(new ClockSkewWarning(span, tree.Span(span).SpanId, deltas[span], true,
                        $"clock skew adjustment of {Durations.Format(deltas[span])} applied, with span {tree.Span(shiftedWith[span]).SpanId} on the same resource"));
                }

                continue;
            }

            var parentStart = Durations.Shift(tree.StartOf(parent), deltas[parent]);
            var delta = Skew(tree.StartOf(span), tree.DurationOf(span), parentStart, tree.DurationOf(parent));
            if (delta == 0)
            {
                continue;
            }

            var magnitude = delta == long.MinValue ? long.MaxValue : Math.Abs(delta);
            if (magnitude > maxDeltaNanos)
            {
                var text = maxDeltaNanos == 0
                    ? $"clock skew adjustment disabled; not applying calculated delta of {Durations.Format(delta)}"
                    : $"max clock skew adjustment delta of {Durations.Format(maxDeltaNanos)} exceeded; not applying calculated delta of {Durations.Format(delta)}";
                warnings.Add(new ClockSkewWarning(span, tree.Span(span).SpanId, delta, false, text));
                continue;
            }

            deltas[span] = delta;
            warnings.Add(new ClockSkewWarning(span, tree.Span(span).SpanId, delta, true,
                $"clock skew adjustment of {Durations.Format(delta)} applied: the span did not fit inside its parent on another resource"));
        }

        return new ClockSkewAdjustment(tree, deltas, warnings.ToArray());
    }

    /// <summary>The shift that puts a child of another clock where it can have run, or 0 when it already can.</summary>
    internal static long Skew(ulong childStart, ulong childDuration, ulong parentStart, ulong parentDuration)
    {
        if (childDuration > parentDuration)
        {
            return childStart < parentStart ? Durations.Difference(parentStart, childStart) : 0;
        }

        if (childStart >= parentStart && childStart + childDuration <= parentStart + parentDuration)
        {
            return 0;
        }

        var latency = (parentDuration - childDuration) / 2;
        return Durations.Difference(parentStart + latency, childStart);
    }
}
