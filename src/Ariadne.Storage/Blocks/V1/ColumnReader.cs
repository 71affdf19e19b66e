using System.Buffers.Binary;

namespace Ariadne.Storage.Blocks.V1;

/// <summary>Reads a column written by <see cref="ColumnWriter"/>; any overrun is corruption and throws.</summary>
internal ref struct ColumnReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ColumnReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly bool IsAtEnd => _position == _data.Length;

    public readonly int Remaining => _data.Length - _position;

    public ulong Varint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Byte();
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new InvalidDataException("varint longer than 10 bytes");
    }

    public int Count(int max)
    {
        var value = Varint();
        if (value > (ulong)max)
        {
            throw new InvalidDataException($"count {value} exceeds {max}");
        }

        return (int)value;
    }

    public long SignedVarint()
    {
        var raw = Varint();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public ulong UInt64()
    {
        Need(8);
        var value = BinaryPrimitives.ReadUInt64BigEndian(_data[_position..]);
        _position += 8;
        return value;
    }

    public byte Byte()
    {
        Need(1);
        return _data[_position++];
    }

    public ReadOnlySpan<byte> Bytes()
    {
        var length = Count(_data.Length - _position);
        var value = _data.Slice(_position, length);
        _position += length;
        return value;
    }

    private readonly void Need(int count)
    {
        if (_data.Length - _position < count)
        {
            throw new InvalidDataException("column ends early");
        }
    }
}
