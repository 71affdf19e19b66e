using System.Runtime.CompilerServices;
using Ariadne.Model;

namespace Ariadne.Analysis.Metrics;

/// <summary>A span's identity within its trace: what a child's parent id and a client's span id are matched on.</summary>
internal readonly struct SpanKey(TraceId traceId, SpanId spanId) : IEquatable<SpanKey>
{
    public TraceId TraceId { get; } = traceId;

    public SpanId SpanId { get; } = spanId;

    public bool Equals(SpanKey other) => SpanId.Value == other.SpanId.Value && TraceId.Low == other.TraceId.Low && TraceId.High == other.TraceId.High;

    public override bool Equals(object? obj) => obj is SpanKey other && Equals(other);

    /// <summary>Ids are random, so folding them is enough; a multiply spreads sequential test ids too.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode()
    {
        var mixed = (SpanId.Value ^ TraceId.Low ^ (TraceId.High >> 1)) * 0x9E3779B97F4A7C15UL;
        return (int)(mixed >> 32);
    }
}
