using System.Runtime.CompilerServices;

namespace Ariadne.Model;

/// <summary>
/// A growable table of unmanaged rows. Capacity is kept across <see cref="Clear"/> so a decoder can
/// reuse one batch for every request without allocating again. Storage beyond <see cref="Count"/> is
/// never read, so it is allocated without being zeroed: rows are written before they are counted.
/// </summary>
internal sealed class RowTable<T>
    where T : unmanaged
{
    private T[] _rows;

    public RowTable(int capacity = 0) => _rows = capacity == 0 ? [] : GC.AllocateUninitializedArray<T>(capacity);

    /// <summary>A table holding a copy of <paramref name="rows"/>, with no room to spare.</summary>
    public RowTable(ReadOnlySpan<T> rows)
        : this(rows.Length)
    {
        rows.CopyTo(_rows);
        Count = rows.Length;
    }

    public int Count { get; private set; }

    /// <summary>Rows the table holds before it has to grow.</summary>
    public int Capacity => _rows.Length;

    public Span<T> Rows => _rows.AsSpan(0, Count);

    public ref T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if ((uint)index >= (uint)Count)
            {
                ThrowHelper.ThrowArgument(nameof(index), "Row index out of range.");
            }

            return ref _rows[index];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Add(in T row)
    {
        if (Count == _rows.Length)
        {
            Grow(Count + 1);
        }

        _rows[Count] = row;
        return Count++;
    }

    /// <summary>Appends <paramref name="count"/> zeroed rows and returns the first one's index.</summary>
    public int Reserve(int count)
    {
        if (count < 0)
        {
            ThrowHelper.ThrowArgument(nameof(count), "Row count cannot be negative.");
        }

        var start = Count;
        if (Count + count > _rows.Length)
        {
            Grow(Count + count);
        }

        _rows.AsSpan(start, count).Clear();
        Count += count;
        return start;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int AddRange(ReadOnlySpan<T> rows)
    {
        // No Reserve: clearing rows that are overwritten at once would double the writes on the hot path.
        var start = Count;
        if (Count + rows.Length > _rows.Length)
        {
            Grow(Count + rows.Length);
        }

        rows.CopyTo(_rows.AsSpan(start));
        Count += rows.Length;
        return start;
    }

    /// <summary>Shrinks the table to <paramref name="count"/> rows.</summary>
    public void Truncate(int count)
    {
        if ((uint)count > (uint)Count)
        {
            ThrowHelper.ThrowArgument(nameof(count), "Cannot truncate beyond the row count.");
        }

        Count = count;
    }

    public void Clear() => Count = 0;

    /// <summary>Makes room for at least <paramref name="capacity"/> rows in all.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity > _rows.Length)
        {
            Grow(capacity);
        }
    }

    private void Grow(int needed)
    {
        var capacity = Math.Max(needed, Math.Max(16, _rows.Length * 2));
        var rows = GC.AllocateUninitializedArray<T>(capacity);
        _rows.AsSpan(0, Count).CopyTo(rows);
        _rows = rows;
    }
}
