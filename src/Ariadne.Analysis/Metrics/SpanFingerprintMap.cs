namespace Ariadne.Analysis.Metrics;

/// <summary>
/// A map from <see cref="SpanFingerprint"/> to a small value in two parallel arrays, probed linearly.
/// The service graph holds every unpaired client and server span in one, and orphan detection every
/// parent awaited: up to a million entries each, added and removed at the ingest rate. Against a
/// <see cref="Dictionary{TKey, TValue}"/> keyed by (trace id, span id) a lookup touches one cache line
/// instead of two and hashes once per span instead of once per table. Removal shifts the rest of the
/// chain back, so no tombstones build up between clears. Not thread-safe.
/// </summary>
internal sealed class SpanFingerprintMap<TValue>
    where TValue : struct
{
    private ulong[] _slots = new ulong[1024];
    private TValue[] _values = new TValue[1024];
    private int _count;

    public int Count => _count;

    public bool TryGetValue(ulong fingerprint, out TValue value)
    {
        var slot = SpanFingerprint.Find(_slots, fingerprint);
        value = slot >= 0 ? _values[slot] : default;
        return slot >= 0;
    }

    /// <summary>Adds the entry or replaces its value.</summary>
    public void Set(ulong fingerprint, TValue value)
    {
        if ((_count + 1) * 2 > _slots.Length)
        {
            _slots = SpanFingerprint.Grow(_slots, _values, out var values);
            _values = values!;
        }

        var slot = SpanFingerprint.Find(_slots, fingerprint);
        if (slot < 0)
        {
            slot = ~slot;
            _slots[slot] = fingerprint;
            _count++;
        }

        _values[slot] = value;
    }

    /// <summary>Removes the entry and gives its value; false when there was none.</summary>
    public bool Remove(ulong fingerprint, out TValue value)
    {
        var slots = _slots;
        var hole = SpanFingerprint.Find(slots, fingerprint);
        if (hole < 0)
        {
            value = default;
            return false;
        }

        value = _values[hole];
        var mask = slots.Length - 1;
        for (var slot = (hole + 1) & mask; slots[slot] != SpanFingerprint.Empty; slot = (slot + 1) & mask)
        {
            if (!SpanFingerprint.StaysBehindHole(hole, slot, slots[slot], mask))
            {
                slots[hole] = slots[slot];
                _values[hole] = _values[slot];
                hole = slot;
            }
        }

        slots[hole] = SpanFingerprint.Empty;
        _values[hole] = default;
        _count--;
        return true;
    }

    /// <summary>Empties the map, keeping its tables for the next generation.</summary>
    public void Clear()
    {
        if (_count > 0)
        {
            Array.Clear(_slots);
            Array.Clear(_values);
            _count = 0;
        }
    }

    /// <summary>Calls <paramref name="visit"/> with every value, in no particular order.</summary>
    public void ForEach<TState>(TState state, Action<TState, TValue> visit)
    {
        var slots = _slots;
        for (var i = 0; i < slots.Length; i++)
        {
            if (slots[i] != SpanFingerprint.Empty)
            {
                visit(state, _values[i]);
            }
        }
    }
}
