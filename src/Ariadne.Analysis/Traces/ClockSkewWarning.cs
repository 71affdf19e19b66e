using Ariadne.Model;

namespace Ariadne.Analysis.Traces;

/// <summary>
/// One span moved (or not moved) for display. <see cref="DeltaNanos"/> is the shift that was applied,
/// or the one that would have been when <see cref="Applied"/> is false because it exceeded the limit.
/// </summary>
internal readonly record struct ClockSkewWarning(int SpanIndex, SpanId SpanId, long DeltaNanos, bool Applied, string Message);
