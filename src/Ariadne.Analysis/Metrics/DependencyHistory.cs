namespace Ariadne.Analysis.Metrics;

/// <summary>
/// Calls per client → server edge in one-minute buckets over a bounded retention, so a dependencies
/// query can pick a time window. In memory only: it starts empty when the process starts.
/// Not thread-safe; <see cref="ServiceGraph"/> serialises access.
/// </summary>
internal sealed class DependencyHistory
{
    private const long MinuteMillis = 60_000;
    private readonly long[] _minutes;
    private readonly Dictionary<long, long>?[] _counts;

    public DependencyHistory(TimeSpan retention)
    {
        var minutes = (int)Math.Max(1, Math.Ceiling(retention.TotalMinutes));
        _minutes = new long[minutes];
        Array.Fill(_minutes, long.MinValue);
        _counts = new Dictionary<long, long>?[minutes];
    }

    public void Add(int client, int server, long timeUnixMillis, long nowUnixMillis)
    {
        // A span from the future (a skewed clock) is counted now; one older than the retention is not kept.
        var minute = Math.Min(timeUnixMillis, nowUnixMillis) / MinuteMillis;
        if (minute <= (nowUnixMillis / MinuteMillis) - _minutes.Length)
        {
            return;
        }

        var slot = (int)(minute % _minutes.Length);
        if (_minutes[slot] != minute)
        {
            _minutes[slot] = minute;
            (_counts[slot] ??= []).Clear();
        }

        var counts = _counts[slot]!;
        var edge = ((long)client << 32) | (uint)server;
        counts[edge] = counts.GetValueOrDefault(edge) + 1;
    }

    /// <summary>Calls per edge in the minutes that overlap (end - lookback, end].</summary>
    public Dictionary<(int Client, int Server), long> Query(long endUnixMillis, long lookbackMillis)
    {
        var result = new Dictionary<(int, int), long>();
        var first = (endUnixMillis - lookbackMillis) / MinuteMillis;
        var last = endUnixMillis / MinuteMillis;
        for (var slot = 0; slot < _minutes.Length; slot++)
        {
            var minute = _minutes[slot];
            if (minute < first || minute > last || _counts[slot] is not { } counts)
            {
                continue;
            }

            foreach (var (edge, count) in counts)
            {
                var key = ((int)(edge >> 32), (int)(uint)edge);
                result[key] = result.GetValueOrDefault(key) + count;
            }
        }

        return result;
    }
}
