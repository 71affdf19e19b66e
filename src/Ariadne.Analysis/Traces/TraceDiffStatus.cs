namespace Ariadne.Analysis.Traces;

internal enum TraceDiffStatus
{
    /// <summary>The path occurs in both traces.</summary>
    Matched,

    /// <summary>Only in trace A: missing from B.</summary>
    Missing,

    /// <summary>Only in trace B: added in B.</summary>
    Added,
}
