using System.Runtime.InteropServices;

namespace Ariadne.Model;

/// <summary>One attribute: a key in the heap and its value.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KeyValue
{
    public Utf8Ref Key;
    public AnyValue Value;

    public KeyValue(Utf8Ref key, AnyValue value)
    {
        Key = key;
        Value = value;
    }
}
