using System.Collections.Concurrent;
using Ariadne.Model;
using Ariadne.Storage;

namespace Ariadne.Server.Tenancy;

/// <summary>
/// Enforces each tenant's ingest limits from <c>overrides</c>: the rate of spans and bytes (a request
/// over it is refused whole, so nothing of it is stored, with the time after which to retry), the
/// number of live traces and the spans per trace (spans beyond them are dropped and counted by
/// reason, as Tempo counts <c>LIVE_TRACES_EXCEEDED</c> and <c>TRACE_TOO_LARGE</c>).
/// </summary>
internal sealed class TenantQuotas
{
    public const string TraceTooLarge = "trace_too_large";
    public const string LiveTracesExceeded = "live_traces_exceeded";
    public const string RateLimited = "rate_limited";

    private readonly TenantLimits _limits;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Quota> _quotas = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Tenant, string Reason), Counter> _discarded = new();

    public TenantQuotas(TenantLimits limits, TimeProvider time)
    {
        _limits = limits;
        _time = time;
    }

    public IEnumerable<(string Tenant, string Reason, long Spans)> Discarded
    {
        get
        {
            foreach (var (key, counter) in _discarded)
            {
                yield return (key.Tenant, key.Reason, Interlocked.Read(ref counter.Value));
            }
        }
    }

    /// <summary>Takes the request's spans and bytes from the tenant's buckets, or says how long to wait when it is over its rate.</summary>
    public TimeSpan Admit(string tenant, int spans, long bytes)
    {
        var limits = _limits.For(tenant);
        if (limits.IngestionRateSpans <= 0 && limits.IngestionRateBytes <= 0)
        {
            return TimeSpan.Zero;
        }

        var quota = _quotas.GetOrAdd(tenant, static (_, state) => new Quota(state.Limits, state.Time.GetTimestamp()), (Limits: limits, Time: _time));
        var now = _time.GetTimestamp();
        lock (quota)
        {
            var wait = TimeSpan.Zero;
            if (quota.Spans is { } spanBucket)
            {
                wait = spanBucket.Wait(spans, now, _time);
            }

            if (quota.Bytes is { } byteBucket)
            {
                var byteWait = byteBucket.Wait(bytes, now, _time);
                wait = byteWait > wait ? byteWait : wait;
            }

            if (wait > TimeSpan.Zero)
            {
                Count(tenant, RateLimited, spans);
                return wait;
            }

            quota.Spans?.Take(spans);
            quota.Bytes?.Take(bytes);
            return TimeSpan.Zero;
        }
    }

    /// <summary>
    /// Drops the spans that would take a trace past <c>max_spans_per_trace</c> or start a trace past
    /// <c>max_live_traces</c>, counting them; returns how many were dropped and the first reason.
    /// </summary>
    public (int Dropped, string? Reason) DropOverLimits(string tenant, SpanBatch batch, SpanStore store)
    {
        var limits = _limits.For(tenant);
        if ((limits.MaxSpansPerTrace <= 0 && limits.MaxLiveTraces <= 0) || batch.SpanCount == 0)
        {
            return (0, null);
        }

        var rows = batch.Spans.Rows;
        var remove = new bool[rows.Length];
        var perTrace = new Dictionary<TraceId, int>();
        var liveTraces = store.HeadTraceCount;
        int tooLarge = 0, overLive = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            var traceId = rows[i].TraceId;
            if (!perTrace.TryGetValue(traceId, out var count))
            {
                count = store.HeadSpanCountOf(traceId);
                if (count == 0 && limits.MaxLiveTraces > 0 && liveTraces >= limits.MaxLiveTraces)
                {
                    count = -1;
                }
                else if (count == 0)
                {
                    liveTraces++;
                }
            }

            if (count < 0)
            {
                remove[i] = true;
                overLive++;
            }
            else if (limits.MaxSpansPerTrace > 0 && count >= limits.MaxSpansPerTrace)
            {
                remove[i] = true;
                tooLarge++;
            }
            else
            {
                count++;
            }

            perTrace[traceId] = count;
        }

        if (tooLarge + overLive == 0)
        {
            return (0, null);
        }

        batch.RemoveSpans(remove);
        Count(tenant, TraceTooLarge, tooLarge);
        Count(tenant, LiveTracesExceeded, overLive);
        return (tooLarge + overLive, tooLarge > 0
            ? $"TRACE_TOO_LARGE: {tooLarge} span(s) beyond max_spans_per_trace ({limits.MaxSpansPerTrace}) dropped"
            : $"LIVE_TRACES_EXCEEDED: {overLive} span(s) of new traces beyond max_live_traces ({limits.MaxLiveTraces}) dropped");
    }

    private void Count(string tenant, string reason, long spans)
    {
        if (spans > 0)
        {
            Interlocked.Add(ref _discarded.GetOrAdd((tenant, reason), static _ => new Counter()).Value, spans);
        }
    }

    private sealed class Quota(ResolvedLimits limits, long now)
    {
        public TokenBucket? Spans { get; } = limits.IngestionRateSpans > 0 ? new TokenBucket(limits.IngestionRateSpans, now) : null;

        public TokenBucket? Bytes { get; } = limits.IngestionRateBytes > 0 ? new TokenBucket(limits.IngestionRateBytes, now) : null;
    }

    private sealed class Counter
    {
        public long Value;
    }
}
