namespace Ariadne.Analysis.Traces;

/// <summary>
/// One aligned position in two traces: the spans reached from the top by the same chain of
/// (service, operation) steps. Same-named siblings share a node, so a call retried three times in B
/// and once in A is one node with counts 1 and 3.
/// </summary>
internal sealed class TraceDiffNode
{
    public TraceDiffNode(int index, int parent, int depth, string service, string operation, int[] spansA, int[] spansB, TraceDiffPair[] pairs)
    {
        Index = index;
        Parent = parent;
        Depth = depth;
        Service = service;
        Operation = operation;
        SpansA = spansA;
        SpansB = spansB;
        Pairs = pairs;
        foreach (var pair in pairs)
        {
            TotalNanosA += pair.DurationNanosA;
            TotalNanosB += pair.DurationNanosB;
        }
    }

    /// <summary>Position in <see cref="TraceDiff.Nodes"/>.</summary>
    public int Index { get; }

    /// <summary>The parent node's index, or -1 at the top.</summary>
    public int Parent { get; }

    /// <summary>1 at the top.</summary>
    public int Depth { get; }

    public string Service { get; }

    public string Operation { get; }

    /// <summary>A's span rows at this position, in start order.</summary>
    public IReadOnlyList<int> SpansA { get; }

    public IReadOnlyList<int> SpansB { get; }

    public IReadOnlyList<TraceDiffPair> Pairs { get; }

    public int CountA => SpansA.Count;

    public int CountB => SpansB.Count;

    public ulong TotalNanosA { get; }

    public ulong TotalNanosB { get; }

    /// <summary>Mean duration in A; 0 when A has none.</summary>
    public ulong MeanNanosA => CountA == 0 ? 0 : TotalNanosA / (ulong)CountA;

    public ulong MeanNanosB => CountB == 0 ? 0 : TotalNanosB / (ulong)CountB;

    /// <summary>B's total minus A's.</summary>
    public long DeltaTotalNanos => Durations.Difference(TotalNanosB, TotalNanosA);

    /// <summary>B's mean minus A's, when both have spans here; 0 otherwise.</summary>
    public long DeltaMeanNanos => CountA > 0 && CountB > 0 ? Durations.Difference(MeanNanosB, MeanNanosA) : 0;

    public TraceDiffStatus Status => CountA == 0 ? TraceDiffStatus.Added : CountB == 0 ? TraceDiffStatus.Missing : TraceDiffStatus.Matched;
}
