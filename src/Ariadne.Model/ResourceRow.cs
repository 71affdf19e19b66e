using System.Runtime.InteropServices;

namespace Ariadne.Model;

/// <summary>An OTLP Resource together with its ResourceSpans schema URL.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ResourceRow
{
    public RowRange Attributes;
    public uint DroppedAttributesCount;
    public Utf8Ref SchemaUrl;
}
