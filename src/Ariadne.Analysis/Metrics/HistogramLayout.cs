namespace Ariadne.Analysis.Metrics;

/// <summary>Explicit bucket upper bounds, in nanoseconds for the hot path and in seconds for exposition.</summary>
internal sealed class HistogramLayout
{
    public HistogramLayout(IReadOnlyList<TimeSpan> bounds)
    {
        BoundsNanos = new ulong[bounds.Count];
        BoundsSeconds = new double[bounds.Count];
        for (var i = 0; i < bounds.Count; i++)
        {
            if (bounds[i] <= TimeSpan.Zero || (i > 0 && bounds[i] <= bounds[i - 1]))
            {
                throw new ArgumentException("Histogram bounds must be positive and increasing.", nameof(bounds));
            }

            BoundsNanos[i] = (ulong)bounds[i].Ticks * 100;
            BoundsSeconds[i] = bounds[i].Ticks / (double)TimeSpan.TicksPerSecond;
        }
    }

    public ulong[] BoundsNanos { get; }

    public double[] BoundsSeconds { get; }

    /// <summary>Buckets including the last, unbounded one (<c>le="+Inf"</c>).</summary>
    public int BucketCount => BoundsNanos.Length + 1;

    /// <summary>The bucket a duration falls in: the first whose bound is at least the duration (Prometheus's <c>le</c>).</summary>
    public int BucketOf(ulong nanos)
    {
        var bounds = BoundsNanos;
        int low = 0, high = bounds.Length;
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (bounds[middle] < nanos)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
