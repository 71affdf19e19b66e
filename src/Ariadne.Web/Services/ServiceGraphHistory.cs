using Ariadne.Analysis.Metrics;
using Ariadne.Server.Tenancy;
using Microsoft.Extensions.Hosting;

namespace Ariadne.Web.Services;

/// <summary>
/// Samples the service graph's counters every <see cref="Interval"/> for the last
/// <see cref="Retention"/>, so the map can show rates, error rates and p95 over a recent window the
/// way Prometheus would compute them from the same counters, not totals since start. Each tenant has
/// its own graph; a tenant's is sampled from the first time its map is asked for.
/// </summary>
internal sealed class ServiceGraphHistory : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan Retention = TimeSpan.FromHours(6);

    private readonly TenantAnalyzers _analyzers;
    private readonly TimeProvider _time;
    private readonly long _startedUnixMillis;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedList<(long TimeUnixMillis, Dictionary<(string, string, string), ServiceGraphEdge> Edges)>> _samples = new(StringComparer.Ordinal);

    public ServiceGraphHistory(TenantAnalyzers analyzers, TimeProvider time)
    {
        _analyzers = analyzers;
        _time = time;
        _startedUnixMillis = time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    /// <summary>False when the configuration turned the service graph off.</summary>
    public bool IsEnabled => _analyzers.For(TenantId.Single).ServiceGraph is not null;

    /// <summary>Every edge of <paramref name="tenant"/>'s graph over the window ending now (or since start, when shorter).</summary>
    public ServiceGraphWindow Window(string tenant, TimeSpan window)
    {
        var graph = _analyzers.For(tenant).ServiceGraph;
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (graph is null)
        {
            return new ServiceGraphWindow([], TimeSpan.Zero);
        }

        var current = graph.Edges(now);
        var from = now - (long)window.TotalMilliseconds;
        long baselineTime = _startedUnixMillis;
        Dictionary<(string, string, string), ServiceGraphEdge>? baseline = null;
        lock (_gate)
        {
            if (!_samples.TryGetValue(tenant, out var samples))
            {
                _samples[tenant] = samples = new();
            }

            // The last sample taken at or before the window's start; without one the counters since
            // start are the window (they started at zero).
            foreach (var (time, edges) in samples)
            {
                if (time > from)
                {
                    break;
                }

                baselineTime = time;
                baseline = edges;
            }
        }

        var elapsed = TimeSpan.FromMilliseconds(Math.Max(1, now - baselineTime));
        var result = new List<ServiceGraphWindowEdge>(current.Count);
        foreach (var edge in current)
        {
            ServiceGraphEdge? before = null;
            baseline?.TryGetValue((edge.Client, edge.Server, edge.ConnectionType), out before);
            var requests = edge.Requests - (before?.Requests ?? 0);
            if (requests <= 0)
            {
                continue;
            }

            var failed = edge.Failed - (before?.Failed ?? 0);
            var counts = (long[])edge.Latency.Counts.Clone();
            if (before is not null)
            {
                for (var i = 0; i < counts.Length && i < before.Latency.Counts.Length; i++)
                {
                    counts[i] -= before.Latency.Counts[i];
                }
            }

            var p95 = Quantile(edge.Latency.Layout.BoundsSeconds, counts, 0.95);
            result.Add(new ServiceGraphWindowEdge(edge.Client, edge.Server, edge.ConnectionType, requests, failed, requests / elapsed.TotalSeconds, p95));
        }

        return new ServiceGraphWindow(result, elapsed);
    }

    /// <summary>
    /// The quantile from bucket counts, interpolated linearly inside the bucket as Prometheus's
    /// histogram_quantile does; the last (unbounded) bucket answers its lower bound.
    /// </summary>
    public static double Quantile(double[] boundsSeconds, long[] counts, double q)
    {
        long total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        if (total == 0)
        {
            return 0;
        }

        var rank = q * total;
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (seen + counts[i] >= rank && counts[i] > 0)
            {
                if (i >= boundsSeconds.Length)
                {
                    return boundsSeconds.Length == 0 ? 0 : boundsSeconds[^1];
                }

                var lower = i == 0 ? 0 : boundsSeconds[i - 1];
                var upper = boundsSeconds[i];
                return lower + ((upper - lower) * (rank - seen) / counts[i]);
            }

            seen += counts[i];
        }

        return boundsSeconds.Length == 0 ? 0 : boundsSeconds[^1];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!IsEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            string[] tenants;
            lock (_gate)
            {
                tenants = [.. _samples.Keys];
            }

            foreach (var tenant in tenants)
            {
                if (_analyzers.For(tenant).ServiceGraph is not { } graph)
                {
                    continue;
                }

                var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
                var edges = new Dictionary<(string, string, string), ServiceGraphEdge>();
                foreach (var edge in graph.Edges(now))
                {
                    edges[(edge.Client, edge.Server, edge.ConnectionType)] = edge;
                }

                lock (_gate)
                {
                    var samples = _samples[tenant];
                    samples.AddLast((now, edges));
                    while (samples.First is { } oldest && oldest.Value.TimeUnixMillis < now - (long)Retention.TotalMilliseconds)
                    {
                        samples.RemoveFirst();
                    }
                }
            }
        }
    }
}
