using Ariadne.Model;

namespace Ariadne.Analysis.Traces;

/// <summary>
/// The chain of spans that determined the trace's end-to-end latency, computed as the Jaeger UI
/// does. From the root's end, walk back: the child that ended last before the current point is where
/// the time went, so the gap between that child's end and the current point is the parent's own work;
/// then the same inside the child, from its end; when a span has no child left that ends before the
/// current point, its time back to its start is its own and the walk returns to its parent at the
/// span's start. Children that end together are taken longest first.
/// <para>
/// Children are first clipped to their parent (a child that outlives its parent only counts up to
/// the parent's end; one entirely outside its parent is left out with its subtree), as Jaeger does.
/// One deliberate difference: a sibling that ends exactly when the next one starts is on the path;
/// the Jaeger UI requires it to end strictly before, which hands back-to-back calls' time to the parent.
/// </para>
/// <para>
/// The path starts at the tree's primary root; other roots and orphans are not on it. Self-time,
/// by contrast, is computed for every span: its duration minus the union of its children's time,
/// clipped to the span.
/// </para>
/// </summary>
internal sealed class CriticalPath
{
    private readonly ulong[] _criticalNanos;
    private readonly ulong[] _selfNanos;

    private CriticalPath(int root, CriticalPathSegment[] segments, ulong[] criticalNanos, ulong[] selfNanos)
    {
        Root = root;
        Segments = segments;
        _criticalNanos = criticalNanos;
        _selfNanos = selfNanos;
        foreach (var segment in segments)
        {
            TotalNanos += segment.DurationNanos;
        }
    }

    /// <summary>The span the path starts from, or -1 for an empty trace.</summary>
    public int Root { get; }

    /// <summary>In time order; consecutive segments of one span are merged and empty ones left out.</summary>
    public IReadOnlyList<CriticalPathSegment> Segments { get; }

    /// <summary>The length of the path: the root's duration.</summary>
    public ulong TotalNanos { get; }

    /// <summary>The span's time on the path.</summary>
    public ulong CriticalNanosOf(int span) => _criticalNanos[span];

    /// <summary>The span's time on the path as a fraction of the whole path (0 to 1).</summary>
    public double ShareOf(int span) => TotalNanos == 0 ? 0 : (double)_criticalNanos[span] / TotalNanos;

    /// <summary>The span's duration minus the time covered by at least one of its children.</summary>
    public ulong SelfNanosOf(int span) => _selfNanos[span];

    /// <summary>The critical path over the spans' own timestamps.</summary>
    public static CriticalPath Compute(SpanTree tree)
    {
        var starts = new ulong[tree.Count];
        var ends = new ulong[tree.Count];
        for (var i = 0; i < tree.Count; i++)
        {
            starts[i] = tree.StartOf(i);
            ends[i] = tree.EndOf(i);
        }

        return Compute(tree, starts, ends);
    }

    /// <summary>The critical path over the clock-skew-adjusted timestamps, as the Jaeger UI shows it.</summary>
    public static CriticalPath Compute(ClockSkewAdjustment adjusted) => Compute(adjusted.Tree, adjusted.AdjustedStarts, adjusted.AdjustedEnds);

    /// <summary>The critical path over the given times (indexed by span row).</summary>
    public static CriticalPath Compute(SpanTree tree, ReadOnlySpan<ulong> starts, ReadOnlySpan<ulong> ends)
    {
        if (starts.Length != tree.Count || ends.Length != tree.Count)
        {
            ThrowHelper.ThrowArgument(nameof(starts), "One start and one end per span are needed.");
        }

        var selfNanos = SelfTimes(tree, starts, ends);
        var criticalNanos = new ulong[tree.Count];
        var root = tree.PrimaryRoot;
        if (root < 0)
        {
            return new CriticalPath(root, [], criticalNanos, selfNanos);
        }

        // Each span's interval clipped to its (clipped) parent; a child outside its parent is excluded.
        var clippedStart = new ulong[tree.Count];
        var clippedEnd = new ulong[tree.Count];
        var included = new bool[tree.Count];
        clippedStart[root] = starts[root];
        clippedEnd[root] = Math.Max(starts[root], ends[root]);
        included[root] = true;
        var stack = new Stack<int>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var parent = stack.Pop();
            foreach (var child in tree.ChildrenOf(parent))
            {
                var start = Math.Max(starts[child], clippedStart[parent]);
                var end = Math.Min(Math.Max(starts[child], ends[child]), clippedEnd[parent]);
                if (start > end)
                {
                    continue;
                }

                clippedStart[child] = start;
                clippedEnd[child] = end;
                included[child] = true;
                stack.Push(child);
            }
        }

        var byEnd = ChildrenByEnd(tree, included, clippedStart, clippedEnd, out var byEndStart);
        var positionInParent = new int[tree.Count];
        var segments = new List<CriticalPathSegment>();

        // Iterative walk back in time; a cursor per span only moves forward through its children,
        // so every span is entered at most once and the walk ends.
        var current = root;
        var point = clippedEnd[root];
        var cursor = 0;
        while (true)
        {
            var next = -1;
            var last = byEndStart[current + 1];
            for (var position = byEndStart[current] + cursor; position < last; position++)
            {
                var child = byEnd[position];
                if (clippedEnd[child] <= point)
                {
                    next = child;
                    positionInParent[child] = position - byEndStart[current];
                    break;
                }
            }

            if (next >= 0)
            {
                AddSegment(segments, tree, current, clippedEnd[next], point);
                current = next;
                point = clippedEnd[next];
                cursor = 0;
                continue;
            }

            AddSegment(segments, tree, current, clippedStart[current], point);
            if (current == root)
            {
                break;
            }

            point = clippedStart[current];
            cursor = positionInParent[current] + 1;
            current = tree.ParentOf(current);
        }

        segments.Reverse();
        var merged = new List<CriticalPathSegment>(segments.Count);
        foreach (var segment in segments)
        {
            criticalNanos[segment.SpanIndex] += segment.DurationNanos;
            if (merged.Count > 0 && merged[^1].SpanIndex == segment.SpanIndex && merged[^1].EndUnixNano == segment.StartUnixNano)
            {
                merged[^1] = merged[^1] with { EndUnixNano = segment.EndUnixNano };
            }
            else
            {
                merged.Add(segment);
            }
        }

        return new CriticalPath(root, merged.ToArray(), criticalNanos, selfNanos);
    }

    private static void AddSegment(List<CriticalPathSegment> segments, SpanTree tree, int span, ulong start, ulong end)
    {
        if (end > start)
        {
            segments.Add(new CriticalPathSegment(span, tree.Span(span).SpanId, start, end));
        }
    }

    /// <summary>Included children of each span, latest end first, then longest first, then by span id.</summary>
    private static int[] ChildrenByEnd(SpanTree tree, bool[] included, ulong[] starts, ulong[] ends, out int[] rangeStart)
    {
        rangeStart = new int[tree.Count + 1];
        var list = new List<int>(tree.Count);
        for (var span = 0; span < tree.Count; span++)
        {
            rangeStart[span] = list.Count;
            if (!included[span])
            {
                continue;
            }

            var first = list.Count;
            foreach (var child in tree.ChildrenOf(span))
            {
                if (included[child])
                {
                    list.Add(child);
                }
            }

            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list)[first..].Sort((x, y) =>
            {
                var c = ends[y].CompareTo(ends[x]);
                if (c == 0)
                {
                    c = starts[x].CompareTo(starts[y]);
                }

                if (c == 0)
                {
                    c = tree.Span(x).SpanId.CompareTo(tree.Span(y).SpanId);
                }

                return c != 0 ? c : x.CompareTo(y);
            });
        }

        rangeStart[tree.Count] = list.Count;
        return list.ToArray();
    }

    private static ulong[] SelfTimes(SpanTree tree, ReadOnlySpan<ulong> starts, ReadOnlySpan<ulong> ends)
    {
        var self = new ulong[tree.Count];
        var intervals = new List<(ulong Start, ulong End)>();
        for (var span = 0; span < tree.Count; span++)
        {
            var start = starts[span];
            var end = Math.Max(start, ends[span]);
            intervals.Clear();
            foreach (var child in tree.ChildrenOf(span))
            {
                var childStart = Math.Max(starts[child], start);
                var childEnd = Math.Min(Math.Max(starts[child], ends[child]), end);
                if (childEnd > childStart)
                {
                    intervals.Add((childStart, childEnd));
                }
            }

            intervals.Sort();
            ulong covered = 0;
            ulong coveredTo = start;
            foreach (var (childStart, childEnd) in intervals)
            {
                var from = Math.Max(childStart, coveredTo);
                if (childEnd > from)
                {
                    covered += childEnd - from;
                    coveredTo = childEnd;
                }
            }

            self[span] = end - start - covered;
        }

        return self;
    }
}
