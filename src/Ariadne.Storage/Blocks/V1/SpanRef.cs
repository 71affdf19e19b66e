using Ariadne.Model;

namespace Ariadne.Storage.Blocks.V1;

/// <summary>A span to write into a block: a row of some batch.</summary>
internal readonly record struct SpanRef(SpanBatch Batch, int Index)
{
    public ref SpanRow Row => ref Batch.Spans[Index];
}
