using Ariadne.Model;

namespace Ariadne.Server.Receivers;

/// <summary>
/// The batch a receiver decodes a request into, one per thread and reused: decoding is synchronous, so
/// a request takes the thread's batch, decodes into tables that have already grown to fit, and keeps
/// an exact copy (<see cref="SpanBatch.ExactCopy"/>) before it awaits anything. A request therefore
/// allocates its tables once, at their final size, instead of doubling them from empty.
/// </summary>
internal static class ScratchBatch
{
    /// <summary>A scratch batch that grew past this (one unusually large request) is not kept for the next.</summary>
    private const long MaxKeptBytes = 32L * 1024 * 1024;

    [ThreadStatic]
    private static SpanBatch? t_batch;

    /// <summary>The calling thread's batch, emptied, with its heap sized for a request of <paramref name="requestBytes"/>.</summary>
    public static SpanBatch Take(int requestBytes)
    {
        var batch = t_batch ??= new SpanBatch();
        batch.Clear();
        batch.Heap.EnsureCapacity(requestBytes);
        return batch;
    }

    /// <summary>The decoded spans as a batch of their own; the scratch batch stays with the thread for its next request.</summary>
    public static SpanBatch Keep(SpanBatch scratch)
    {
        if (scratch.CapacityBytes > MaxKeptBytes)
        {
            t_batch = null;
        }

        return scratch.ExactCopy();
    }
}
