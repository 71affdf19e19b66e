using System.Diagnostics;

namespace Ariadne.Cli.Bench;

/// <summary>Runs a query repeatedly, one at a time, and reports p50/p99 of its wall time.</summary>
internal static class LatencySampler
{
    /// <summary>Runs <paramref name="query"/> <paramref name="warmup"/> times unmeasured, then <paramref name="runs"/> times; the query returns how many results it got.</summary>
    public static async Task<QueryTiming> MeasureAsync(string name, string text, int limit, int warmup, int runs, Func<int, Task<int>> query)
    {
        for (var i = 0; i < warmup; i++)
        {
            await query(i);
        }

        var times = new double[runs];
        var results = 0;
        for (var i = 0; i < runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            results = await query(warmup + i);
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(times);
        return new QueryTiming(name, text, limit, runs, Math.Round(Percentile(times, 0.50), 2), Math.Round(Percentile(times, 0.99), 2), results);
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double quantile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(sorted.Length * quantile) - 1, 0, sorted.Length - 1)];
}
