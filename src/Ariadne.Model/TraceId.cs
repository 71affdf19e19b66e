using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Ariadne.Model;

/// <summary>
/// A 16-byte W3C trace id. Stored as two big-endian halves so that ordering by value is the same as
/// ordering by the id's bytes, which is the order blocks are sorted in.
/// </summary>
internal readonly struct TraceId : IEquatable<TraceId>, IComparable<TraceId>, ISpanFormattable
{
    public const int Size = 16;

    public TraceId(ulong high, ulong low)
    {
        High = high;
        Low = low;
    }

    public ulong High { get; }

    public ulong Low { get; }

    /// <summary>All-zero is the W3C "invalid" trace id.</summary>
    public bool IsValid => (High | Low) != 0;

    public static TraceId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            ThrowHelper.ThrowArgument(nameof(bytes), "A trace id is 16 bytes.");
        }

        return new TraceId(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
    }

    public byte[] ToByteArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    public static bool TryParse(ReadOnlySpan<char> hex, out TraceId id)
    {
        if (hex.Length == 32 && Hex.TryParseUInt64(hex[..16], out var high) && Hex.TryParseUInt64(hex[16..], out var low))
        {
            id = new TraceId(high, low);
            return true;
        }

        id = default;
        return false;
    }

    public static bool TryParse(ReadOnlySpan<byte> utf8Hex, out TraceId id)
    {
        if (utf8Hex.Length == 32 && Hex.TryParseUInt64(utf8Hex[..16], out var high) && Hex.TryParseUInt64(utf8Hex[16..], out var low))
        {
            id = new TraceId(high, low);
            return true;
        }

        id = default;
        return false;
    }

    /// <summary>
    /// Parses a trace id written the way users paste them: 32 hex digits, or fewer (a 64-bit Zipkin or
    /// Jaeger id, or one whose leading zeros were dropped), which are left-padded with zeros.
    /// </summary>
    public static bool TryParseLenient(ReadOnlySpan<char> hex, out TraceId id)
    {
        if (hex.Length is 0 or > 32)
        {
            id = default;
            return false;
        }

        Span<char> padded = stackalloc char[32];
        padded.Fill('0');
        hex.CopyTo(padded[(32 - hex.Length)..]);
        return TryParse(padded, out id);
    }

    public static TraceId Parse(string hex) =>
        TryParse(hex, out var id) ? id : throw new FormatException("A trace id is 32 hexadecimal digits.");

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format = default, IFormatProvider? provider = null)
    {
        if (destination.Length < 32)
        {
            charsWritten = 0;
            return false;
        }

        Hex.WriteUInt64(High, destination);
        Hex.WriteUInt64(Low, destination[16..]);
        charsWritten = 32;
        return true;
    }

    public void FormatUtf8(Span<byte> destination)
    {
        Hex.WriteUInt64(High, destination);
        Hex.WriteUInt64(Low, destination[16..]);
    }

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public override string ToString() => string.Create(32, this, static (chars, id) => id.TryFormat(chars, out _));

    public bool Equals(TraceId other) => High == other.High && Low == other.Low;

    public override bool Equals([NotNullWhen(true)] object? obj) => obj is TraceId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(High, Low);

    public int CompareTo(TraceId other)
    {
        var c = High.CompareTo(other.High);
        return c != 0 ? c : Low.CompareTo(other.Low);
    }

    public static bool operator ==(TraceId left, TraceId right) => left.Equals(right);

    public static bool operator !=(TraceId left, TraceId right) => !left.Equals(right);

    public static bool operator <(TraceId left, TraceId right) => left.CompareTo(right) < 0;

    public static bool operator >(TraceId left, TraceId right) => left.CompareTo(right) > 0;

    public static bool operator <=(TraceId left, TraceId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(TraceId left, TraceId right) => left.CompareTo(right) >= 0;
}
