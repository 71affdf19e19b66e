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
    private SpanFingerprintMap<WaitingChildren> _waiting = new();
    private SpanFingerprintMap<WaitingChildren> _waitingPrevious = new();
    private bool _full;
    private bool _fullPrevious;
    private bool _fullBeforePrevious;
    private long[] _orphans = new long[16];

    public OrphanTracker(int limit) => _limit = limit;

    /// <summary>Spans not tracked because a generation was full, or whose expiry could not be judged.</summary>
    public long Untracked { get; private set; }

    public long OrphansOf(int service) => (uint)service < (uint)_orphans.Length ? _orphans[service] : 0;

    public int ServiceBound => _orphans.Length;

    /// <summary>Notes a span given its own fingerprint and its parent's (<see cref="SpanFingerprint.Empty"/> for a root).</summary>
    public void Observe(int service, ulong self, ulong parent)
    {
        if (_waiting.Count > 0)
        {
            _waiting.Remove(self, out _);
        }

        if (_waitingPrevious.Count > 0)
        {
            _waitingPrevious.Remove(self, out _);
        }

        if (parent != SpanFingerprint.Empty && !_seen.Contains(parent) && !_seenPrevious.Contains(parent))
        {
            Wait(parent, service);
        }

        if (_seen.Count < _limit)
        {
            _seen.Add(self);
        }
        else
        {
            _full = true;
        }
    }

    private void Wait(ulong parent, int service)
    {
        if (_waiting.TryGetValue(parent, out var children))
        {
            // Children of one parent are nearly always in one service; a rare mixed one is counted with the first.
            _waiting.Set(parent, children with { Count = children.Count + 1 });
        }
        else if (_waiting.Count < _limit)
        {
            _waiting.Set(parent, new WaitingChildren(service, 1));
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
        _waitingPrevious.ForEach((Tracker: this, Judgeable: judgeable), static (state, children) => state.Tracker.Expire(children, state.Judgeable));

        _waitingPrevious.Clear();
        (_waiting, _waitingPrevious) = (_waitingPrevious, _waiting);
        _seenPrevious.Clear();
        (_seen, _seenPrevious) = (_seenPrevious, _seen);
        _fullBeforePrevious = _fullPrevious;
        _fullPrevious = _full;
        _full = false;
    }

    private void Expire(WaitingChildren children, bool judgeable)
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

    private readonly record struct WaitingChildren(int Service, int Count);
}
