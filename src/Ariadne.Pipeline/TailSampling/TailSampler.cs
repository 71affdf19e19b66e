using Ariadne.Model;

namespace Ariadne.Pipeline.TailSampling;

/// <summary>
/// The decision side of a <c>tail_sampling</c> processor: the policies, the cache of recent decisions
/// (so late spans of a decided trace follow it), and counts per policy. Where the undecided spans wait
/// is storage's business; this class only ever sees whole traces.
/// </summary>
internal sealed class TailSampler
{
    private readonly TailPolicy[] _policies;
    private readonly PolicyCounters[] _counters;
    private readonly DecisionCache _sampledCache;
    private readonly DecisionCache _notSampledCache;
    private long _tracesSampled;
    private long _tracesNotSampled;
    private long _lateSpans;
    private long _decidedEarly;

    public TailSampler(string id, TimeSpan decisionWait, int numTraces, IReadOnlyList<TailPolicy> policies, int sampledCacheSize, int notSampledCacheSize)
    {
        Id = id;
        DecisionWait = decisionWait;
        NumTraces = numTraces;
        _policies = [.. policies];
        _counters = [.. policies.Select(p => new PolicyCounters(p.Name))];
        _sampledCache = new DecisionCache(sampledCacheSize);
        _notSampledCache = new DecisionCache(notSampledCacheSize);
    }

    public string Id { get; }

    /// <summary>How long after a trace's first span it is decided.</summary>
    public TimeSpan DecisionWait { get; }

    /// <summary>Undecided traces held at most; beyond it the oldest are decided early.</summary>
    public int NumTraces { get; }

    public IReadOnlyList<PolicyCounters> Counters => _counters;

    public long TracesSampled => Interlocked.Read(ref _tracesSampled);

    public long TracesNotSampled => Interlocked.Read(ref _tracesNotSampled);

    /// <summary>Spans that arrived after their trace was decided and followed the cached decision.</summary>
    public long LateSpans => Interlocked.Read(ref _lateSpans);

    /// <summary>Traces decided before decision_wait because num_traces was reached.</summary>
    public long DecidedEarly => Interlocked.Read(ref _decidedEarly);

    /// <summary>Evaluates every policy on the whole trace and remembers the decision.</summary>
    public bool Decide(TraceId traceId, List<SpanRef> trace, long nowUnixSeconds)
    {
        var sampled = false;
        var invertSampled = false;
        var invertNotSampled = false;
        var dropped = false;
        for (var i = 0; i < _policies.Length; i++)
        {
            var decision = _policies[i].Evaluate(trace, nowUnixSeconds);
            _counters[i].Add(decision);
            switch (decision)
            {
                case PolicyDecision.Sampled:
                    sampled = true;
                    break;
                case PolicyDecision.InvertSampled:
                    invertSampled = true;
                    break;
                case PolicyDecision.InvertNotSampled:
                    invertNotSampled = true;
                    break;
                case PolicyDecision.Dropped:
                    dropped = true;
                    break;
            }
        }

        var keep = !dropped && !invertNotSampled && (sampled || invertSampled);
        Remember(traceId, keep);
        Interlocked.Increment(ref keep ? ref _tracesSampled : ref _tracesNotSampled);
        return keep;
    }

    /// <summary>The cached decision for a trace decided earlier, if it is still cached.</summary>
    public bool TryGetDecision(TraceId traceId, out bool sampled)
    {
        if (_sampledCache.Contains(traceId))
        {
            sampled = true;
            return true;
        }

        sampled = false;
        return _notSampledCache.Contains(traceId);
    }

    /// <summary>Puts a decision into the cache (decisions found in the log after a restart come this way too).</summary>
    public void Remember(TraceId traceId, bool sampled) => (sampled ? _sampledCache : _notSampledCache).Add(traceId);

    public void CountLateSpans(int spans) => Interlocked.Add(ref _lateSpans, spans);

    public void CountDecidedEarly(int traces) => Interlocked.Add(ref _decidedEarly, traces);
}

/// <summary>How often one policy said sampled and not sampled.</summary>
internal sealed class PolicyCounters(string policy)
{
    private long _sampled;
    private long _notSampled;

    public string Policy { get; } = policy;

    public long Sampled => Interlocked.Read(ref _sampled);

    public long NotSampled => Interlocked.Read(ref _notSampled);

    public void Add(PolicyDecision decision)
    {
        if (decision is PolicyDecision.Sampled or PolicyDecision.InvertSampled)
        {
            Interlocked.Increment(ref _sampled);
        }
        else
        {
            Interlocked.Increment(ref _notSampled);
        }
    }
}

/// <summary>A bounded set of trace ids; when full, the oldest entry makes room (first in, first out).</summary>
internal sealed class DecisionCache(int capacity)
{
    private readonly HashSet<TraceId> _ids = new();
    private readonly Queue<TraceId> _order = new();
    private readonly Lock _lock = new();

    public bool Contains(TraceId traceId)
    {
        lock (_lock)
        {
            return _ids.Contains(traceId);
        }
    }

    public void Add(TraceId traceId)
    {
        if (capacity <= 0)
        {
            return;
        }

        lock (_lock)
        {
            if (!_ids.Add(traceId))
            {
                return;
            }

            _order.Enqueue(traceId);
            if (_order.Count > capacity)
            {
                _ids.Remove(_order.Dequeue());
            }
        }
    }
}
