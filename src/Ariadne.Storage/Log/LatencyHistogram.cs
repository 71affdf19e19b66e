namespace Ariadne.Storage.Log;

/// <summary>
/// Counts durations into fixed buckets (seconds, Prometheus style: each bucket counts everything at
/// or below its bound), for fsync latency. Lock-free; readers get a consistent enough snapshot.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>Upper bounds in seconds: from a quick SSD flush to a stalled disk.</summary>
    public static readonly double[] Bounds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly long[] _counts = new long[Bounds.Length + 1];
    private long _sumTicks;

    public void Record(TimeSpan duration)
    {
        var seconds = duration.TotalSeconds;
        var bucket = 0;
        while (bucket < Bounds.Length && seconds > Bounds[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumTicks, duration.Ticks);
    }

    /// <summary>Cumulative counts per bound, then the total count (the +Inf bucket), and the sum in seconds.</summary>
    public (long[] Cumulative, double SumSeconds) Snapshot()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            running += Interlocked.Read(ref _counts[i]);
            cumulative[i] = running;
        }

        return (cumulative, TimeSpan.FromTicks(Interlocked.Read(ref _sumTicks)).TotalSeconds);
    }
}
