using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Ariadne.Model;

namespace Ariadne.Analysis.Metrics;

/// <summary>
/// A span's identity within its trace — what a child's parent id and a client's span id are matched on —
/// as one 64-bit number, and the linear probing the tables of them share. Fingerprints are keyed with a
/// secret chosen per process: clients choose the ids, and a hash that only folded them would let one send
/// spans that all land in one probe chain, turning every lookup into a walk of the whole table. Two
/// different spans share a fingerprint with odds of about one in 2⁶⁴ per pair, which at worst pairs one
/// edge wrongly or hides one orphan.
/// </summary>
internal static class SpanFingerprint
{
    /// <summary>The mark of an empty slot; no fingerprint is ever 0.</summary>
    public const ulong Empty = 0;

    private static readonly ulong Secret = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    /// <summary>The fingerprint of a span; never <see cref="Empty"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of(TraceId traceId, SpanId spanId)
    {
        var h = Mix(Secret ^ traceId.Low);
        h = Mix(h ^ traceId.High);
        h = Mix(h ^ spanId.Value);
        return h == Empty ? 1 : h;
    }

    /// <summary>
    /// The slot holding <paramref name="fingerprint"/>, or the complement (<c>~slot</c>, negative) of the
    /// empty slot where it would go. The table's length is a power of two and at least one slot is empty.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Find(ulong[] slots, ulong fingerprint)
    {
        var mask = slots.Length - 1;
        for (var i = (int)fingerprint & mask; ; i = (i + 1) & mask)
        {
            var held = slots[i];
            if (held == fingerprint)
            {
                return i;
            }

            if (held == Empty)
            {
                return ~i;
            }
        }
    }

    /// <summary>Whether the fingerprint in a slot may stay where it is when <paramref name="hole"/> (before it in its chain) empties.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool StaysBehindHole(int hole, int slot, ulong fingerprint, int mask)
    {
        // It stays if its home lies cyclically in (hole, slot]: moving it back would put it before its home.
        var home = (int)fingerprint & mask;
        return hole <= slot ? hole < home && home <= slot : hole < home || home <= slot;
    }

    /// <summary>A table twice the size holding the same fingerprints (and, when given, their values).</summary>
    public static ulong[] Grow<TValue>(ulong[] slots, TValue[]? values, out TValue[]? grownValues)
    {
        var grown = new ulong[slots.Length * 2];
        grownValues = values is null ? null : new TValue[grown.Length];
        for (var i = 0; i < slots.Length; i++)
        {
            var fingerprint = slots[i];
            if (fingerprint == Empty)
            {
                continue;
            }

            var slot = ~Find(grown, fingerprint);
            grown[slot] = fingerprint;
            if (grownValues is not null)
            {
                grownValues[slot] = values![i];
            }
        }

        return grown;
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
