namespace Ariadne.Model;

/// <summary>A span where it already is: a row of some batch, referenced rather than copied.</summary>
internal readonly record struct SpanRef(SpanBatch Batch, int Index)
{
    public ref SpanRow Row => ref Batch.Spans[Index];
}
