using Ariadne.Model;

namespace Ariadne.Analysis.Traces;

/// <summary>
/// The i-th span of a diff node in A beside the i-th in B, both in start order, so that first
/// attempts line up with first attempts. A side without an i-th span has index -1.
/// </summary>
internal readonly record struct TraceDiffPair(int SpanA, SpanId SpanIdA, ulong DurationNanosA, int SpanB, SpanId SpanIdB, ulong DurationNanosB)
{
    public bool IsMatched => SpanA >= 0 && SpanB >= 0;

    /// <summary>B's duration minus A's, when both exist; 0 otherwise.</summary>
    public long DeltaNanos => IsMatched ? Durations.Difference(DurationNanosB, DurationNanosA) : 0;
}
