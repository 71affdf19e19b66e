using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Ariadne.Model;

/// <summary>An 8-byte W3C span id, kept big-endian in a <see cref="ulong"/>; zero means "none".</summary>
internal readonly struct SpanId : IEquatable<SpanId>, IComparable<SpanId>, ISpanFormattable
{
    public const int Size = 8;

    public SpanId(ulong value) => Value = value;

    public ulong Value { get; }

    public bool IsValid => Value != 0;

    public static SpanId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            ThrowHelper.ThrowArgument(nameof(bytes), "A span id is 8 bytes.");
        }

        return new SpanId(BinaryPrimitives.ReadUInt64BigEndian(bytes));
    }

    public void WriteTo(Span<byte> destination) => BinaryPrimitives.WriteUInt64BigEndian(destination, Value);

    public byte[] ToByteArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    public static bool TryParse(ReadOnlySpan<char> hex, out SpanId id)
    {
        if (hex.Length == 16 && Hex.TryParseUInt64(hex, out var value))
        {
            id = new SpanId(value);
            return true;
        }

        id = default;
        return false;
    }

    public static bool TryParse(ReadOnlySpan<byte> utf8Hex, out SpanId id)
    {
        if (utf8Hex.Length == 16 && Hex.TryParseUInt64(utf8Hex, out var value))
        {
            id = new SpanId(value);
            return true;
        }

        id = default;
        return false;
    }

    public static SpanId Parse(string hex) =>
        TryParse(hex, out var id) ? id : throw new FormatException("A span id is 16 hexadecimal digits.");

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
    {
        if (destination.Length < 16)
        {
            charsWritten = 0;
            return false;
        }

        Hex.WriteUInt64(Value, destination);
        charsWritten = 16;
        return true;
    }

    public void FormatUtf8(Span<byte> destination) => Hex.WriteUInt64(Value, destination);

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public override string ToString() => string.Create(16, this, static (chars, id) => id.TryFormat(chars, out _));

    public bool Equals(SpanId other) => Value == other.Value;

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is SpanId other && Equals(other);

    public override int GetHashCode() => Value.GetHashCode();

    public int CompareTo(SpanId other) => Value.CompareTo(other.Value);

    public static bool operator ==(SpanId left, SpanId right) => left.Equals(right);

    public static bool operator !=(SpanId left, SpanId right) => !left.Equals(right);

    public static bool operator <(SpanId left, SpanId right) => left.CompareTo(right) < 0;

    public static bool operator >(SpanId left, SpanId right) => left.CompareTo(right) > 0;

    public static bool operator <=(SpanId left, SpanId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(SpanId left, SpanId right) => left.CompareTo(right) >= 0;
}
