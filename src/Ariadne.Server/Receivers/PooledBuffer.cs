using System.Buffers;

namespace Ariadne.Server.Receivers;

/// <summary>A request body in a rented array; returned to the pool on dispose.</summary>
internal sealed class PooledBuffer : IDisposable
{
    private byte[] _array;

    public PooledBuffer(int initialCapacity) => _array = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _array.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _array.AsMemory(0, Length);

    /// <summary>Free space after the data, growing the array when it is full (never past <paramref name="maxLength"/>).</summary>
    public Memory<byte> GetFreeMemory(long maxLength)
    {
        if (Length == _array.Length)
        {
            var next = (int)Math.Min(Math.Max(_array.Length * 2L, 256), Math.Max(maxLength, _array.Length + 1L));
            var bigger = ArrayPool<byte>.Shared.Rent(next);
            _array.AsSpan(0, Length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_array);
            _array = bigger;
        }

        return _array.AsMemory(Length);
    }

    public void Advance(int count) => Length += count;

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, []);
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
