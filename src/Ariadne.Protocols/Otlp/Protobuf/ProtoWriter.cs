using System.Buffers.Binary;
using System.Numerics;

namespace Ariadne.Protocols.Otlp.Protobuf;

/// <summary>Writes protobuf into a span whose size was computed beforehand (see <see cref="ProtoSize"/>).</summary>
internal ref struct ProtoWriter
{
    private readonly Span<byte> _buffer;

    public ProtoWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        Position = 0;
    }

    public int Position { get; private set; }

    public void Tag(int fieldNumber, WireType wireType) => Varint(((ulong)(uint)fieldNumber << 3) | (uint)wireType);

    public void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer[Position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[Position++] = (byte)value;
    }

    public void VarintField(int fieldNumber, ulong value)
    {
        Tag(fieldNumber, WireType.Varint);
        Varint(value);
    }

    public void Fixed64Field(int fieldNumber, ulong value)
    {
        Tag(fieldNumber, WireType.Fixed64);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer[Position..], value);
        Position += 8;
    }

    public void Fixed32Field(int fieldNumber, uint value)
    {
        Tag(fieldNumber, WireType.Fixed32);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[Position..], value);
        Position += 4;
    }

    public void BytesField(int fieldNumber, scoped ReadOnlySpan<byte> value)
    {
        Tag(fieldNumber, WireType.LengthDelimited);
        Varint((ulong)value.Length);
        value.CopyTo(_buffer[Position..]);
        Position += value.Length;
    }

    public void MessageHeader(int fieldNumber, int length)
    {
        Tag(fieldNumber, WireType.LengthDelimited);
        Varint((ulong)length);
    }
}

/// <summary>Sizes of encoded protobuf pieces.</summary>
internal static class ProtoSize
{
    public static int Varint(ulong value) => ((BitOperations.Log2(value | 1) * 9) + 73) / 64;

    public static int Tag(int fieldNumber) => Varint((ulong)(uint)fieldNumber << 3);

    public static int VarintField(int fieldNumber, ulong value) => Tag(fieldNumber) + Varint(value);

    public static int LengthDelimited(int fieldNumber, int length) => Tag(fieldNumber) + Varint((ulong)length) + length;
}
