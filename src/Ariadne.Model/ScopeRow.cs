using System.Runtime.InteropServices;

namespace Ariadne.Model;

/// <summary>An OTLP InstrumentationScope together with its ScopeSpans schema URL and its resource.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ScopeRow
{
    public int ResourceIndex;
    public Utf8Ref Name;
    public Utf8Ref Version;
    public RowRange Attributes;
    public uint DroppedAttributesCount;
    public Utf8Ref SchemaUrl;
}
