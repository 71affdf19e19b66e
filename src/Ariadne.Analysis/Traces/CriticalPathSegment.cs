using Ariadne.Model;

namespace Ariadne.Analysis.Traces;

/// <summary>A stretch of time during which <see cref="SpanId"/>'s own work held up the trace.</summary>
internal readonly record struct CriticalPathSegment(int SpanIndex, SpanId SpanId, ulong StartUnixNano, ulong EndUnixNano)
{
    public ulong DurationNanos => EndUnixNano - StartUnixNano;
}
