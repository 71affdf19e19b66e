using System.Runtime.InteropServices;

namespace Ariadne.Model;

/// <summary>
/// One span. Every variable-length part is a reference into the batch's heap or a row range in one of
/// its tables, so the row itself is unmanaged and fixed-size.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SpanRow
{
    public TraceId TraceId;
    public SpanId SpanId;
    public SpanId ParentSpanId;
    public ulong StartTimeUnixNano;
    public ulong EndTimeUnixNano;
    public int ScopeIndex;
    public Utf8Ref TraceState;
    public Utf8Ref Name;
    public Utf8Ref StatusMessage;
    public RowRange Attributes;
    public RowRange Events;
    public RowRange Links;
    public uint Flags;
    public uint DroppedAttributesCount;
    public uint DroppedEventsCount;
    public uint DroppedLinksCount;
    public SpanKind Kind;
    public StatusCode StatusCode;
    public SpanDefect Defect;

    public readonly ulong DurationNanos => EndTimeUnixNano >= StartTimeUnixNano ? EndTimeUnixNano - StartTimeUnixNano : 0;
}
