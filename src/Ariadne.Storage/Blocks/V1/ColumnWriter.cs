using System.Buffers;
using System.Buffers.Binary;

namespace Ariadne.Storage.Blocks.V1;

/// <summary>One column of a page being built: varints, fixed-width values and raw bytes, appended.</summary>
internal sealed class ColumnWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public void Varint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        _buffer.Advance(i);
    }

    /// <summary>Signed values zigzag-encoded, so small negatives stay short.</summary>
    public void SignedVarint(long value) => Varint((ulong)((value << 1) ^ (value >> 63)));

    public void UInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void Bytes(ReadOnlySpan<byte> value)
    {
        Varint((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>Bytes as they are, without a length.</summary>
    public void Raw(ReadOnlySpan<byte> value) => _buffer.Write(value);

    public void Clear() => _buffer.Clear();
}
