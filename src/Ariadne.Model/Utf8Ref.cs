using System.Runtime.InteropServices;

namespace Ariadne.Model;

/// <summary>A UTF-8 string or byte string stored in a <see cref="SpanBatch"/>'s heap.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct Utf8Ref(int Offset, int Length)
{
    public bool IsEmpty => Length == 0;
}
