using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Ariadne.Model;

namespace Ariadne.Analysis.Metrics;

/// <summary>
/// A set of spans held as 64-bit fingerprints of (trace id, span id) in one open-addressed table.
/// Orphan detection asks it twice per span and remembers up to a million spans per generation; in a
/// <see cref="HashSet{T}"/> each question was two cache misses (the bucket, then the entry), here it is
/// usually one. Fingerprints are keyed with a secret chosen per process, so clients, who choose the ids,
/// cannot make them collide on purpose. Two different spans share a fingerprint with odds of about one
/// in 2⁶⁴ per pair, which at worst hides one orphan. Not thread-safe.
/// </summary>
internal sealed class SpanFingerprintSet
{
    private const ulong Empty = 0;
    private static readonly ulong Secret = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    private ulong[] _slots = new ulong[1024];
    private int _count;

    public int Count => _count;

    /// <summary>The fingerprint of a span; never 0, which marks an empty slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of(TraceId traceId, SpanId spanId)
    {
        var h = Mix(Secret ^ traceId.Low);
        h = Mix(h ^ traceId.High);
        h = Mix(h ^ spanId.Value);
        return h == Empty ? 1 : h;
    }

    /// <summary>Adds the fingerprint; false when it was there already.</summary>
    public bool Add(ulong fingerprint)
    {
        if ((_count + 1) * 2 > _slots.Length)
        {
            Grow();
        }

        var mask = _slots.Length - 1;
        for (var i = (int)fingerprint & mask; ; i = (i + 1) & mask)
        {
            var held = _slots[i];
            if (held == fingerprint)
            {
                return false;
            }

            if (held == Empty)
            {
                _slots[i] = fingerprint;
                _count++;
                return true;
            }
        }
    }

    public bool Contains(ulong fingerprint)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        for (var i = (int)fingerprint & mask; ; i = (i + 1) & mask)
        {
            var held = slots[i];
            if (held == fingerprint)
            {
                return true;
            }

            if (held == Empty)
            {
                return false;
            }
        }
    }

    /// <summary>Empties the set, keeping its table for the next generation.</summary>
    public void Clear()
    {
        if (_count > 0)
        {
            Array.Clear(_slots);
            _count = 0;
        }
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new ulong[old.Length * 2];
        var mask = _slots.Length - 1;
        foreach (var fingerprint in old)
        {
            if (fingerprint == Empty)
            {
                continue;
            }

            var i = (int)fingerprint & mask;
            while (_slots[i] != Empty)
            {
                i = (i + 1) & mask;
            }

            _slots[i] = fingerprint;
        }
    }

    /// <summary>A 64-bit finalizer (MurmurHash3's): every input bit moves about half of the output bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCDUL;
        x ^= x >> 33;
        x *= 0xC4CEB9FE1A85EC53UL;
        x ^= x >> 33;
        return x;
    }
}
