using System.Buffers;
using Ariadne.Model;
using Ariadne.Pipeline.Processors;

namespace Ariadne.Pipeline;

/// <summary>
/// One <c>service.pipelines.traces</c> entry: its processors in configuration order, run on each
/// received batch before it is made durable. Dropped spans are removed from the batch and counted
/// per processor; they are acknowledged to the client like the rest (they were received, and the
/// pipeline chose not to keep them).
/// </summary>
internal sealed class SpanPipeline
{
    private readonly ISpanProcessor[] _processors;
    private readonly ProcessorCounters[] _counters;

    public SpanPipeline(string id, IReadOnlyList<string> receivers, IReadOnlyList<ISpanProcessor> processors)
    {
        Id = id;
        Receivers = receivers;
        _processors = [.. processors];
        _counters = [.. processors.Select(p => new ProcessorCounters(p.Id))];
    }

    public string Id { get; }

    public IReadOnlyList<string> Receivers { get; }

    public IReadOnlyList<ProcessorCounters> Counters => _counters;

    /// <summary>Whether the pipeline takes data now: a memory limiter over its limit says no, with the reason.</summary>
    public bool Admits(out string reason)
    {
        foreach (var processor in _processors)
        {
            if (processor is MemoryLimiterProcessor limiter && !limiter.Admits())
            {
                reason = $"memory usage is above the limit of {processor.Id} ({limiter.SoftLimitBytes >> 20} MiB); retry shortly";
                return false;
            }
        }

        reason = string.Empty;
        return true;
    }

    /// <summary>Runs every processor and removes the spans they dropped; returns how many were dropped.</summary>
    public int Process(SpanBatch batch)
    {
        var count = batch.SpanCount;
        if (count == 0 || _processors.Length == 0)
        {
            return 0;
        }

        var rented = ArrayPool<bool>.Shared.Rent(count);
        try
        {
            var drop = rented.AsSpan(0, count);
            drop.Clear();
            var droppedSoFar = 0;
            for (var p = 0; p < _processors.Length; p++)
            {
                var modified = _processors[p].Process(batch, drop);
                var dropped = Count(drop);
                _counters[p].Add(dropped - droppedSoFar, modified);
                droppedSoFar = dropped;
            }

            return droppedSoFar == 0 ? 0 : batch.RemoveSpans(drop);
        }
        finally
        {
            ArrayPool<bool>.Shared.Return(rented);
        }
    }

    private static int Count(ReadOnlySpan<bool> flags)
    {
        var n = 0;
        foreach (var flag in flags)
        {
            n += flag ? 1 : 0;
        }

        return n;
    }
}
