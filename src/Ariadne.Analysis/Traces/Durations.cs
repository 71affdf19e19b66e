using System.Globalization;

namespace Ariadne.Analysis.Traces;

/// <summary>Arithmetic and text for nanosecond times that must not wrap.</summary>
internal static class Durations
{
    /// <summary><paramref name="to"/> − <paramref name="from"/>, saturated to the range of a long.</summary>
    public static long Difference(ulong to, ulong from) =>
        to >= from
            ? (to - from > long.MaxValue ? long.MaxValue : (long)(to - from))
            : (from - to > long.MaxValue ? long.MinValue : -(long)(from - to));

    /// <summary>A time moved by a signed delta, kept within 0 and <see cref="ulong.MaxValue"/>.</summary>
    public static ulong Shift(ulong time, long delta)
    {
        if (delta >= 0)
        {
            var up = (ulong)delta;
            return time > ulong.MaxValue - up ? ulong.MaxValue : time + up;
        }

        var down = delta == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)(-delta);
        return time < down ? 0 : time - down;
    }

    /// <summary>A duration in the largest unit that keeps it at least 1, as Go prints one: <c>1.5ms</c>, <c>-250µs</c>, <c>2s</c>.</summary>
    public static string Format(long nanos)
    {
        var magnitude = nanos == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(nanos);
        var sign = nanos < 0 ? "-" : string.Empty;
        var (divisor, unit) = magnitude switch
        {
            >= 1_000_000_000 => (1_000_000_000m, "s"),
            >= 1_000_000 => (1_000_000m, "ms"),
            >= 1_000 => (1_000m, "µs"),
            _ => (1m, "ns"),
        };
        return sign + (magnitude / divisor).ToString("0.#########", CultureInfo.InvariantCulture) + unit;
    }
}
