using System.Runtime.InteropServices;

namespace Ariadne.Model;

/// <summary>
/// An OTLP AnyValue with no references: scalars live in <see cref="Scalar"/>, strings and bytes in
/// the batch heap, array elements in <see cref="SpanBatch.ArrayValues"/> and key-value-list entries in
/// <see cref="SpanBatch.NestedAttributes"/>. Being unmanaged, a table of them is written to disk as is.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct AnyValue : IEquatable<AnyValue>
{
    private AnyValue(ValueKind kind, long scalar, int offset, int length)
    {
        Kind = kind;
        Scalar = scalar;
        Offset = offset;
        Length = length;
    }

    public ValueKind Kind { get; }

    /// <summary>The int value, the double's bits, or 0/1 for a bool.</summary>
    public long Scalar { get; }

    /// <summary>Heap offset (string, bytes) or first row (array, key-value list).</summary>
    public int Offset { get; }

    /// <summary>Byte length (string, bytes) or row count (array, key-value list).</summary>
    public int Length { get; }

    public bool BoolValue => Scalar != 0;

    public long IntValue => Scalar;

    public double DoubleValue => BitConverter.Int64BitsToDouble(Scalar);

    public Utf8Ref StringRef => new(Offset, Length);

    public RowRange Rows => new(Offset, Length);

    public static AnyValue Empty => default;

    public static AnyValue FromString(Utf8Ref value) => new(ValueKind.String, 0, value.Offset, value.Length);

    public static AnyValue FromBytes(Utf8Ref value) => new(ValueKind.Bytes, 0, value.Offset, value.Length);

    public static AnyValue FromBool(bool value) => new(ValueKind.Bool, value ? 1 : 0, 0, 0);

    public static AnyValue FromInt(long value) => new(ValueKind.Int, value, 0, 0);

    public static AnyValue FromDouble(double value) => new(ValueKind.Double, BitConverter.DoubleToInt64Bits(value), 0, 0);

    public static AnyValue FromArray(RowRange elements) => new(ValueKind.Array, 0, elements.Start, elements.Count);

    public static AnyValue FromKeyValueList(RowRange entries) => new(ValueKind.KeyValueList, 0, entries.Start, entries.Count);

    public bool Equals(AnyValue other) =>
        Kind == other.Kind && Scalar == other.Scalar && Offset == other.Offset && Length == other.Length;

    public override bool Equals(object? obj) => obj is AnyValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Kind, Scalar, Offset, Length);
}
