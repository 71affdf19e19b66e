using Ariadne.Model;

namespace Ariadne.Pipeline.Processors;

/// <summary>
/// The Collector's <c>memory_limiter</c>: every <see cref="CheckInterval"/> it reads the process's
/// memory; above the soft limit (<c>limit_mib − spike_limit_mib</c>) it asks for a garbage
/// collection and refuses data until memory is back under it, and above the hard limit
/// (<c>limit_mib</c>) it refuses whatever the collection achieved. Receivers turn a refusal into
/// UNAVAILABLE / 503 with Retry-After, so clients back off and retry instead of losing spans.
/// </summary>
internal sealed class MemoryLimiterProcessor : ISpanProcessor
{
    private readonly Func<long> _memory;
    private readonly object _gate = new();
    private long _lastCheckTicks = long.MinValue;
    private bool _refusing;

    public MemoryLimiterProcessor(string id, long limitBytes, long spikeLimitBytes, TimeSpan checkInterval, Func<long>? memory = null)
    {
        Id = id;
        LimitBytes = limitBytes;
        SoftLimitBytes = limitBytes - spikeLimitBytes;
        CheckInterval = checkInterval;
        _memory = memory ?? (static () => Environment.WorkingSet);
    }

    public string Id { get; }

    public long LimitBytes { get; }

    public long SoftLimitBytes { get; }

    public TimeSpan CheckInterval { get; }

    /// <summary>Whether data may be accepted now; false while memory is over the soft limit.</summary>
    public bool Admits()
    {
        var now = Environment.TickCount64;
        lock (_gate)
        {
            if (_lastCheckTicks != long.MinValue && now - _lastCheckTicks < (long)CheckInterval.TotalMilliseconds)
            {
                return !_refusing;
            }

            _lastCheckTicks = now;
            var used = _memory();
            if (used >= SoftLimitBytes)
            {
                // As the Collector does: try to get back under before refusing for a whole interval.
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                used = _memory();
            }

            _refusing = used >= SoftLimitBytes;
            return !_refusing;
        }
    }

    public int Process(SpanBatch batch, Span<bool> drop) => 0;
}
