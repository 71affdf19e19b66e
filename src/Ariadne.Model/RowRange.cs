using System.Runtime.InteropServices;

namespace Ariadne.Model;

/// <summary>A contiguous run of rows in one of a <see cref="SpanBatch"/>'s tables.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly record struct RowRange(int Start, int Count)
{
    public int End => Start + Count;
}
