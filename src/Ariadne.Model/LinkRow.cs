using System.Runtime.InteropServices;

namespace Ariadne.Model;

/// <summary>An OTLP Span.Link.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LinkRow
{
    public TraceId TraceId;
    public SpanId SpanId;
    public Utf8Ref TraceState;
    public RowRange Attributes;
    public uint DroppedAttributesCount;
    public uint Flags;
}
