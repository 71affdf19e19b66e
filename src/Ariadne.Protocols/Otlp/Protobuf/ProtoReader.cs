using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Ariadne.Protocols.Otlp.Protobuf;

/// <summary>Protobuf wire types.</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
}

/// <summary>
/// A forward-only protobuf reader over a span. It never throws: every read reports failure through
/// <see cref="Failed"/> and then returns defaults, so hostile input costs a bounds check, not an exception.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _baseOffset;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> data, int baseOffset = 0)
    {
        _data = data;
        _baseOffset = baseOffset;
        _position = 0;
        Error = null;
    }

    public readonly bool IsAtEnd => _position >= _data.Length;

    /// <summary>Offset in the whole request, for error messages.</summary>
    public readonly int Offset => _baseOffset + _position;

    public string? Error { get; private set; }

    public readonly bool Failed => Error is not null;

    public void Fail(string error)
    {
        Error ??= $"{error} at byte {Offset}";
        _position = _data.Length;
    }

    /// <summary>Reads the next tag; false at the end of the message or on error.</summary>
    public bool TryReadTag(out int fieldNumber, out WireType wireType)
    {
        fieldNumber = 0;
        wireType = 0;
        if (IsAtEnd || Failed)
        {
            return false;
        }

        var tag = ReadVarint();
        if (Failed)
        {
            return false;
        }

        fieldNumber = (int)(tag >> 3);
        wireType = (WireType)(tag & 7);
        if (fieldNumber <= 0 || tag >> 3 > int.MaxValue)
        {
            Fail("invalid field number");
            return false;
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarint()
    {
        var data = _data;
        var pos = _position;
        if (pos < data.Length && data[pos] < 0x80)
        {
            _position = pos + 1;
            return data[pos];
        }

        return ReadVarintSlow();
    }

    private ulong ReadVarintSlow()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                Fail("truncated varint");
                return 0;
            }

            var b = _data[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        Fail("varint longer than 10 bytes");
        return 0;
    }

    public ulong ReadFixed64()
    {
        if (_data.Length - _position < 8)
        {
            Fail("truncated fixed64");
            return 0;
        }

        var value = BinaryPrimitives.ReadUInt64LittleEndian(_data[_position..]);
        _position += 8;
        return value;
    }

    public uint ReadFixed32()
    {
        if (_data.Length - _position < 4)
        {
            Fail("truncated fixed32");
            return 0;
        }

        var value = BinaryPrimitives.ReadUInt32LittleEndian(_data[_position..]);
        _position += 4;
        return value;
    }

    /// <summary>Reads a length-delimited field's payload and the offset it starts at.</summary>
    public ReadOnlySpan<byte> ReadLengthDelimited(out int payloadOffset)
    {
        var length = ReadVarint();
        payloadOffset = Offset;
        if (Failed)
        {
            return default;
        }

        if (length > (ulong)(_data.Length - _position))
        {
            Fail("length-delimited field runs past the end of its message");
            return default;
        }

        var payload = _data.Slice(_position, (int)length);
        _position += (int)length;
        return payload;
    }

    public ReadOnlySpan<byte> ReadLengthDelimited() => ReadLengthDelimited(out _);

    /// <summary>Reads an embedded message; false (with <see cref="Error"/> set) when it does not fit.</summary>
    public bool TryReadMessage(out ReadOnlySpan<byte> payload, out int payloadOffset)
    {
        payload = ReadLengthDelimited(out payloadOffset);
        return !Failed;
    }

    /// <summary>Checks a known field arrived with the wire type its schema gives it.</summary>
    public bool Expect(WireType actual, WireType expected, string field)
    {
        if (actual == expected)
        {
            return true;
        }

        Fail($"{field} has wire type {(int)actual}, expected {(int)expected}");
        return false;
    }

    public void SkipField(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                ReadFixed64();
                break;
            case WireType.LengthDelimited:
                ReadLengthDelimited();
                break;
            case WireType.Fixed32:
                ReadFixed32();
                break;
            default:
                // Groups are deprecated and OTLP never uses them; accepting them would need unbounded nesting.
                Fail($"unsupported wire type {(int)wireType}");
                break;
        }
    }
}
