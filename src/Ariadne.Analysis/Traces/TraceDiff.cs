namespace Ariadne.Analysis.Traces;

/// <summary>
/// Two traces aligned by the path of (service, operation) from the top: the top-level spans of A and
/// B with the same service and operation form one node, the children of a node's spans with the same
/// service and operation form one child node, and so on. Within a node the spans are paired in start
/// order (<see cref="TraceDiffNode.Pairs"/>), so retries line up attempt by attempt.
/// <para>
/// Nodes are listed depth first. Siblings are in the order they first start, measured from the start
/// of their own trace (A's spans when the node has any, B's otherwise), then by service and operation.
/// </para>
/// </summary>
internal sealed class TraceDiff
{
    private TraceDiff(SpanTree a, SpanTree b, TraceDiffNode[] nodes)
    {
        A = a;
        B = b;
        Nodes = nodes;
        SummaryA = TraceSummary.Compute(a);
        SummaryB = TraceSummary.Compute(b);
        foreach (var node in nodes)
        {
            switch (node.Status)
            {
                case TraceDiffStatus.Matched:
                    MatchedCount++;
                    break;
                case TraceDiffStatus.Missing:
                    MissingCount++;
                    break;
                default:
                    AddedCount++;
                    break;
            }
        }
    }

    public SpanTree A { get; }

    public SpanTree B { get; }

    public TraceSummary SummaryA { get; }

    public TraceSummary SummaryB { get; }

    /// <summary>B's trace duration minus A's.</summary>
    public long DeltaDurationNanos => Durations.Difference(SummaryB.DurationNanos, SummaryA.DurationNanos);

    public IReadOnlyList<TraceDiffNode> Nodes { get; }

    public int MatchedCount { get; }

    /// <summary>Nodes only in A.</summary>
    public int MissingCount { get; }

    /// <summary>Nodes only in B.</summary>
    public int AddedCount { get; }

    public static TraceDiff Compare(SpanTree a, SpanTree b)
    {
        var startA = a.Count == 0 ? 0 : TraceStart(a);
        var startB = b.Count == 0 ? 0 : TraceStart(b);
        var nodes = new List<TraceDiffNode>();
        var pending = new Stack<(int Parent, int Depth, Group Group)>();
        PushLevel(pending, -1, 1, Group.Of(a, a.TopLevel, b, b.TopLevel, startA, startB));
        var childrenA = new List<int>();
        var childrenB = new List<int>();
        while (pending.Count > 0)
        {
            var (parent, depth, group) = pending.Pop();
            var index = nodes.Count;
            var node = new TraceDiffNode(index, parent, depth, group.Service, group.Operation, group.SpansA.ToArray(), group.SpansB.ToArray(), Pair(a, group.SpansA, b, group.SpansB));
            nodes.Add(node);

            childrenA.Clear();
            foreach (var span in group.SpansA)
            {
                childrenA.AddRange(a.ChildrenOf(span));
            }

            childrenB.Clear();
            foreach (var span in group.SpansB)
            {
                childrenB.AddRange(b.ChildrenOf(span));
            }

            PushLevel(pending, index, depth + 1, Group.Of(a, childrenA.ToArray(), b, childrenB.ToArray(), startA, startB));
        }

        return new TraceDiff(a, b, nodes.ToArray());
    }

    private static ulong TraceStart(SpanTree tree)
    {
        var start = ulong.MaxValue;
        for (var span = 0; span < tree.Count; span++)
        {
            start = Math.Min(start, tree.StartOf(span));
        }

        return start;
    }

    private static void PushLevel(Stack<(int, int, Group)> pending, int parent, int depth, List<Group> groups)
    {
        // Pushed last-first so the first sibling is popped (and numbered) first.
        for (var i = groups.Count - 1; i >= 0; i--)
        {
            pending.Push((parent, depth, groups[i]));
        }
    }

    private static TraceDiffPair[] Pair(SpanTree a, List<int> spansA, SpanTree b, List<int> spansB)
    {
        var pairs = new TraceDiffPair[Math.Max(spansA.Count, spansB.Count)];
        for (var i = 0; i < pairs.Length; i++)
        {
            var spanA = i < spansA.Count ? spansA[i] : -1;
            var spanB = i < spansB.Count ? spansB[i] : -1;
            pairs[i] = new TraceDiffPair(
                spanA,
                spanA < 0 ? default : a.Span(spanA).SpanId,
                spanA < 0 ? 0 : a.DurationOf(spanA),
                spanB,
                spanB < 0 ? default : b.Span(spanB).SpanId,
                spanB < 0 ? 0 : b.DurationOf(spanB));
        }

        return pairs;
    }

    /// <summary>The spans of A and B at one position that share a service and operation.</summary>
    private sealed class Group
    {
        private Group(string service, string operation)
        {
            Service = service;
            Operation = operation;
        }

        public string Service { get; }

        public string Operation { get; }

        public List<int> SpansA { get; } = [];

        public List<int> SpansB { get; } = [];

        /// <summary>Offset of the first span from its trace's start: A's if any, else B's.</summary>
        public ulong FirstOffset { get; private set; } = ulong.MaxValue;

        public static List<Group> Of(SpanTree a, ReadOnlySpan<int> spansA, SpanTree b, ReadOnlySpan<int> spansB, ulong startA, ulong startB)
        {
            var byKey = new Dictionary<(string, string), Group>();
            var groups = new List<Group>();
            Add(a, spansA, startA, byKey, groups, inA: true);
            Add(b, spansB, startB, byKey, groups, inA: false);
            foreach (var group in groups)
            {
                SortByStart(a, group.SpansA);
                SortByStart(b, group.SpansB);
            }

            groups.Sort(static (x, y) =>
            {
                var c = x.FirstOffset.CompareTo(y.FirstOffset);
                if (c == 0)
                {
                    c = string.CompareOrdinal(x.Service, y.Service);
                }

                return c != 0 ? c : string.CompareOrdinal(x.Operation, y.Operation);
            });
            return groups;
        }

        private static void Add(SpanTree tree, ReadOnlySpan<int> spans, ulong traceStart, Dictionary<(string, string), Group> byKey, List<Group> groups, bool inA)
        {
            foreach (var span in spans)
            {
                var key = (tree.ServiceOf(span), tree.OperationOf(span));
                if (!byKey.TryGetValue(key, out var group))
                {
                    group = new Group(key.Item1, key.Item2);
                    byKey.Add(key, group);
                    groups.Add(group);
                }

                var offset = tree.StartOf(span) - traceStart;
                if (inA)
                {
                    group.SpansA.Add(span);
                    group.FirstOffset = Math.Min(group.FirstOffset, offset);
                }
                else
                {
                    group.SpansB.Add(span);
                    if (group.SpansA.Count == 0)
                    {
                        group.FirstOffset = Math.Min(group.FirstOffset, offset);
                    }
                }
            }
        }

        private static void SortByStart(SpanTree tree, List<int> spans) =>
            spans.Sort((x, y) =>
            {
                var c = tree.StartOf(x).CompareTo(tree.StartOf(y));
                if (c == 0)
                {
                    c = tree.Span(x).SpanId.CompareTo(tree.Span(y).SpanId);
                }

                return c != 0 ? c : x.CompareTo(y);
            });
    }
}
