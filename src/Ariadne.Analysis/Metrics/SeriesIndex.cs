namespace Ariadne.Analysis.Metrics;

/// <summary>
/// Finds a series by its key, a short sequence of interned ids (service, span name, kind, …), without
/// allocating: the key is built on the stack by the caller and copied only when a series is added.
/// Not thread-safe; its owner serialises access.
/// </summary>
internal sealed class SeriesIndex
{
    private int[] _buckets = new int[64];
    private int[] _hashes = new int[32];
    private int[][] _keys = new int[32][];

    public int Count { get; private set; }

    /// <summary>The key of series <paramref name="id"/>.</summary>
    public ReadOnlySpan<int> KeyOf(int id) => _keys[id];

    /// <summary>The id of the series with this key, or -1.</summary>
    public int Find(ReadOnlySpan<int> key) => Find(key, Hash(key), out _);

    /// <summary>Adds a key that <see cref="Find(ReadOnlySpan{int})"/> did not find and returns its id.</summary>
    public int Add(ReadOnlySpan<int> key)
    {
        var hash = Hash(key);
        if (Find(key, hash, out var slot) is var existing and >= 0)
        {
            return existing;
        }

        if (Count == _keys.Length)
        {
            Array.Resize(ref _keys, Count * 2);
            Array.Resize(ref _hashes, Count * 2);
        }

        var id = Count++;
        _keys[id] = key.ToArray();
        _hashes[id] = hash;
        _buckets[slot] = id + 1;
        if (Count * 2 > _buckets.Length)
        {
            Rehash();
        }

        return id;
    }

    private int Find(ReadOnlySpan<int> key, int hash, out int emptySlot)
    {
        var mask = _buckets.Length - 1;
        var slot = hash & mask;
        while (true)
        {
            var id = _buckets[slot] - 1;
            if (id < 0)
            {
                emptySlot = slot;
                return -1;
            }

            if (_hashes[id] == hash && key.SequenceEqual(_keys[id]))
            {
                emptySlot = -1;
                return id;
            }

            slot = (slot + 1) & mask;
        }
    }

    private void Rehash()
    {
        var buckets = new int[_buckets.Length * 2];
        var mask = buckets.Length - 1;
        for (var id = 0; id < Count; id++)
        {
            var slot = _hashes[id] & mask;
            while (buckets[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            buckets[slot] = id + 1;
        }

        _buckets = buckets;
    }

    private static int Hash(ReadOnlySpan<int> key)
    {
        var hash = 17u;
        foreach (var part in key)
        {
            hash = (hash ^ (uint)part) * 0x9E3779B1u;
            hash ^= hash >> 15;
        }

        return (int)(hash & int.MaxValue);
    }
}
