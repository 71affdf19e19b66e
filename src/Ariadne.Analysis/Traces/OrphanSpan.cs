using Ariadne.Model;

namespace Ariadne.Analysis.Traces;

/// <summary>
/// A span whose parent is not in the trace: the parent was lost (context dropped at an async
/// boundary, a service that does not export, sampling) or has not arrived yet. When
/// <see cref="InCycle"/> is set the parent exists but the parent links form a cycle, which this span's
/// link was cut to break.
/// </summary>
internal readonly record struct OrphanSpan(int SpanIndex, SpanId SpanId, SpanId MissingParentId, bool InCycle);
