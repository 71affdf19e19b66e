namespace Ariadne.Model;

/// <summary>The OTLP AnyValue cases. Empty is an AnyValue with no value set.</summary>
internal enum ValueKind : byte
{
    Empty = 0,
    String = 1,
    Bool = 2,
    Int = 3,
    Double = 4,
    Bytes = 5,
    Array = 6,
    KeyValueList = 7,
}
