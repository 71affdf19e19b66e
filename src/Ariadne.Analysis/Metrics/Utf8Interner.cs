using System.Runtime.CompilerServices;
using System.Text;

namespace Ariadne.Analysis.Metrics;

/// <summary>
/// Maps UTF-8 byte strings (service names, span names, attribute values) to small integer ids, so the
/// hot path compares and hashes ints and a string is allocated only the first time a value is seen.
/// Bounded: once <see cref="Capacity"/> values are held, unknown values get <see cref="Full"/>.
/// Not thread-safe; its owner serialises access.
/// </summary>
internal sealed class Utf8Interner
{
    /// <summary>The id returned for a value that could not be added because the interner is full.</summary>
    public const int Full = -1;

    private int[] _buckets;
    private Entry[] _entries;

    public Utf8Interner(int capacity)
    {
        Capacity = capacity;
        _buckets = new int[16];
        _entries = new Entry[8];
    }

    public int Capacity { get; }

    public int Count { get; private set; }

    /// <summary>The string of an id returned by <see cref="Intern(ReadOnlySpan{byte})"/>.</summary>
    public string this[int id] => _entries[id].Text;

    public int Intern(ReadOnlySpan<byte> utf8)
    {
        var hash = Hash(utf8);
        var mask = _buckets.Length - 1;
        var slot = hash & mask;
        while (true)
        {
            var id = _buckets[slot] - 1;
            if (id < 0)
            {
                break;
            }

            ref var entry = ref _entries[id];
            if (entry.Hash == hash && utf8.SequenceEqual(entry.Bytes))
            {
                return id;
            }

            slot = (slot + 1) & mask;
        }

        return Add(utf8, hash, slot);
    }

    /// <summary>Interns a string known up front (virtual node names, defaults from configuration).</summary>
    public int Intern(string text) => Intern(Encoding.UTF8.GetBytes(text));

    private int Add(ReadOnlySpan<byte> utf8, int hash, int slot)
    {
        if (Count >= Capacity)
        {
            return Full;
        }

        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        var id = Count++;
        _entries[id] = new Entry(hash, utf8.ToArray(), Encoding.UTF8.GetString(utf8));
        _buckets[slot] = id + 1;
        if (Count * 2 > _buckets.Length)
        {
            Rehash();
        }

        return id;
    }

    private void Rehash()
    {
        var buckets = new int[_buckets.Length * 2];
        var mask = buckets.Length - 1;
        for (var id = 0; id < Count; id++)
        {
            var slot = _entries[id].Hash & mask;
            while (buckets[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            buckets[slot] = id + 1;
        }

        _buckets = buckets;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        var hash = default(HashCode);
        hash.AddBytes(utf8);
        return hash.ToHashCode() & int.MaxValue;
    }

    private readonly record struct Entry(int Hash, byte[] Bytes, string Text);
}
