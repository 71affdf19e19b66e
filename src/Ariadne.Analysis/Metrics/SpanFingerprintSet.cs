namespace Ariadne.Analysis.Metrics;

/// <summary>
/// A set of spans held as their <see cref="SpanFingerprint"/>s in one open-addressed table. Orphan
/// detection asks it twice per span and remembers up to a million spans per generation; in a
/// <see cref="HashSet{T}"/> each question was two cache misses (the bucket, then the entry), here it is
/// usually one. Not thread-safe.
/// </summary>
internal sealed class SpanFingerprintSet
{
    private ulong[] _slots = new ulong[1024];
    private int _count;

    public int Count => _count;

    /// <summary>Adds the fingerprint; false when it was there already.</summary>
    public bool Add(ulong fingerprint)
    {
        if ((_count + 1) * 2 > _slots.Length)
        {
            _slots = SpanFingerprint.Grow<byte>(_slots, null, out _);
        }

        var slot = SpanFingerprint.Find(_slots, fingerprint);
        if (slot >= 0)
        {
            return false;
        }

        _slots[~slot] = fingerprint;
        _count++;
        return true;
    }

    public bool Contains(ulong fingerprint) => SpanFingerprint.Find(_slots, fingerprint) >= 0;

    /// <summary>Empties the set, keeping its table for the next generation.</summary>
    public void Clear()
    {
        if (_count > 0)
        {
            Array.Clear(_slots);
            _count = 0;
        }
    }
}
