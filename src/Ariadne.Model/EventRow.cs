using System.Runtime.InteropServices;

namespace Ariadne.Model;

/// <summary>An OTLP Span.Event.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct EventRow
{
    public ulong TimeUnixNano;
    public Utf8Ref Name;
    public RowRange Attributes;
    public uint DroppedAttributesCount;
}
