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

    /// <summary>
    /// Keyed with the process's secret (<see cref="SpanFingerprintSet.Of"/>): clients choose the ids, and a
    /// hash that only folded them would let one send spans whose keys all fall in one bucket, turning every
    /// lookup in the service graph's tables into a walk of all of them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override int GetHashCode() => (int)(SpanFingerprintSet.Of(TraceId, SpanId) >> 32);
}
