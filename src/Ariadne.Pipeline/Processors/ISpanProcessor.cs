using Ariadne.Model;

namespace Ariadne.Pipeline.Processors;

/// <summary>
/// A stateless processor: runs on every received batch, in configuration order, before the batch is
/// made durable. It may change spans in place and mark spans to drop; it never blocks.
/// </summary>
internal interface ISpanProcessor
{
    /// <summary>The component id, <c>type</c> or <c>type/name</c>, as the configuration names it.</summary>
    string Id { get; }

    /// <summary>
    /// Processes the batch; spans to drop are set in <paramref name="drop"/> (one flag per span row).
    /// Returns how many spans it changed. Called concurrently for different batches.
    /// </summary>
    int Process(SpanBatch batch, Span<bool> drop);
}
