namespace Ariadne.Analysis;

/// <summary>Anchor for the assembly (used by tests to find it).</summary>
internal static class AnalysisAssembly;
