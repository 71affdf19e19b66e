using Ariadne.Model;

namespace Ariadne.Storage.Blocks.V1;

/// <summary>Where a page is and which trace ids it covers (the block's rows are sorted by trace id).</summary>
internal readonly record struct PageIndexEntry(TraceId FirstTraceId, TraceId LastTraceId, long Offset, int Length, int SpanCount)
{
    public const int Size = 48;
}
