using Ariadne.Model;

namespace Ariadne.Analysis.Metrics;

/// <summary>
/// Counts spans whose parent never arrives (context lost at an async boundary, a caller that does not
/// export, a parent dropped upstream). Works in two generations of one wait period each: a span is
/// remembered as "seen" for one to two periods, and a child whose parent has not been seen waits one to
/// two periods for it before it counts as an orphan. Memory is bounded: each generation holds at most
/// <see cref="ServiceGraphSettings.MaxTrackedSpans"/> seen spans and as many waiting parents; when a
/// generation fills up, the spans it cannot hold are counted as untracked, and children that expire
/// while a generation was full count as untracked rather than as orphans, since their parent may
/// have been the one not remembered. Not thread-safe; <see cref="ServiceGraph"/> serialises access.
/// </summary>
internal sealed class OrphanTracker
{
    private readonly int _limit;
    private SpanFingerprintSet _seen = new();
    private SpanFingerprintSet _seenPrevious = new();
    private Dictionary<SpanKey, WaitingChildren> _waiting = [];
    private Dictionary<SpanKey, WaitingChildren> _waitingPrevious = [];
    private bool _full;
    private bool _fullPrevious;
    private bool _fullBeforePrevious;
    private long[] _orphans = new long[16];

    public OrphanTracker(int limit) => _limit = limit;

    /// <summary>Spans not tracked because a generation was full, or whose expiry could not be judged.</summary>
    public long Untracked { get; private set; }

    public long OrphansOf(int service) => (uint)service < (uint)_orphans.Length ? _orphans[service] : 0;

    public int ServiceBound => _orphans.Length;

    public void Observe(in SpanRow span, int service)
    {
        var self = new SpanKey(span.TraceId, span.SpanId);
        if (_waiting.Count > 0)
        {
            _waiting.Remove(self);
        }

        if (_waitingPrevious.Count > 0)
        {
            _waitingPrevious.Remove(self);
        }

        if (span.ParentSpanId.IsValid)
        {
            var parent = SpanFingerprintSet.Of(span.TraceId, span.ParentSpanId);
            if (!_seen.Contains(parent) && !_seenPrevious.Contains(parent))
            {
                Wait(new SpanKey(span.TraceId, span.ParentSpanId), service);
            }
        }

        if (_seen.Count < _limit)
        {
            _seen.Add(SpanFingerprintSet.Of(span.TraceId, span.SpanId));
        }
        else
        {
            _full = true;
        }
    }

    private void Wait(SpanKey parent, int service)
    {
        if (_waiting.TryGetValue(parent, out var children))
        {
            // Children of one parent are nearly always in one service; a rare mixed one is counted with the first.
            _waiting[parent] = children with { Count = children.Count + 1 };
        }
        else if (_waiting.Count < _limit)
        {
            _waiting.Add(parent, new WaitingChildren(service, 1));
        }
        else
        {
            _full = true;
            Untracked++;
        }
    }

    /// <summary>Ends a wait period: children still waiting since the previous one are orphans.</summary>
    public void Rotate()
    {
        // A parent that arrived before its child was looked up in the seen spans of the child's period and the
        // one before; if either could not hold every span, the child's verdict cannot be trusted.
        var judgeable = !_fullPrevious && !_fullBeforePrevious;
        foreach (var (_, children) in _waitingPrevious)
        {
            if (!judgeable)
            {
                Untracked += children.Count;
            }
            else if (children.Service >= 0)
            {
                if (children.Service >= _orphans.Length)
                {
                    Array.Resize(ref _orphans, Math.Max(children.Service + 1, _orphans.Length * 2));
                }

                _orphans[children.Service] += children.Count;
            }
        }

        _waitingPrevious.Clear();
        (_waiting, _waitingPrevious) = (_waitingPrevious, _waiting);
        _seenPrevious.Clear();
        (_seen, _seenPrevious) = (_seenPrevious, _seen);
        _fullBeforePrevious = _fullPrevious;
        _fullPrevious = _full;
        _full = false;
    }

    private readonly record struct WaitingChildren(int Service, int Count);
}
