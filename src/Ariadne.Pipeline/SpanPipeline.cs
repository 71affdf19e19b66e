using System.Buffers;
using Ariadne.Model;
using Ariadne.Pipeline.Processors;
using Ariadne.Pipeline.TailSampling;

namespace Ariadne.Pipeline;

/// <summary>
/// One <c>service.pipelines.traces</c> entry: its processors in configuration order, run on each
/// received batch before it is made durable. Dropped spans are removed from the batch and counted
/// per processor; they are acknowledged to the client like the rest (they were received, and the
/// pipeline chose not to keep them). With a <c>tail_sampling</c> processor, only the processors before
/// it run on receipt; those after it run on each kept trace once it is decided.
/// </summary>
internal sealed class SpanPipeline
{
    private readonly ISpanProcessor[] _processors;
    private readonly ProcessorCounters[] _counters;
    private readonly ISpanProcessor[] _afterSampling;
    private readonly ProcessorCounters[] _afterCounters;

    public SpanPipeline(string id, IReadOnlyList<string> receivers, IReadOnlyList<ISpanProcessor> processors)
    {
        Id = id;
        Receivers = receivers;
        var split = processors.ToList().FindIndex(p => p is TailSamplingProcessor);
        var before = split < 0 ? processors : processors.Take(split).ToList();
        var after = split < 0 ? [] : processors.Skip(split + 1).ToList();
        TailSampling = split < 0 ? null : (TailSamplingProcessor)processors[split];
        _processors = [.. before];
        _counters = [.. before.Select(p => new ProcessorCounters(p.Id))];
        _afterSampling = [.. after];
        _afterCounters = [.. after.Select(p => new ProcessorCounters(p.Id))];
        TailSamplingCounters = TailSampling is null ? null : new ProcessorCounters(TailSampling.Id);
    }

    /// <summary>Where the pipeline's spans go, in configuration order.</summary>
    public IReadOnlyList<Exporters.ExporterSettings> Exporters { get; init; } = [new Exporters.StorageExporterSettings("storage")];

    /// <summary>The pipeline's <c>batch</c> processor, if it has one: how its queued exporters group spans into requests.</summary>
    public BatchProcessor? Batching => _processors.Concat(_afterSampling).OfType<BatchProcessor>().FirstOrDefault();

    /// <summary>The pipeline's tail sampler, if it has one.</summary>
    public TailSamplingProcessor? TailSampling { get; }

    /// <summary>Spans the tail sampler dropped (not-sampled traces and late spans of them).</summary>
    public ProcessorCounters? TailSamplingCounters { get; }

    public string Id { get; }

    public IReadOnlyList<string> Receivers { get; }

    /// <summary>Every processor's counters, in configuration order.</summary>
    public IReadOnlyList<ProcessorCounters> Counters =>
        TailSamplingCounters is null ? _counters : [.. _counters, TailSamplingCounters, .. _afterCounters];

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

    /// <summary>Runs the processors that work on receipt and removes the spans they dropped; returns how many were dropped.</summary>
    public int Process(SpanBatch batch) => Run(_processors, _counters, batch);

    /// <summary>Runs the processors after <c>tail_sampling</c> on a kept trace; returns how many spans they dropped.</summary>
    public int ProcessSampled(SpanBatch batch) => Run(_afterSampling, _afterCounters, batch);

    private static int Run(ISpanProcessor[] processors, ProcessorCounters[] counters, SpanBatch batch)
    {
        var count = batch.SpanCount;
        if (count == 0 || processors.Length == 0)
        {
            return 0;
        }

        var rented = ArrayPool<bool>.Shared.Rent(count);
        try
        {
            var drop = rented.AsSpan(0, count);
            drop.Clear();
            var droppedSoFar = 0;
            for (var p = 0; p < processors.Length; p++)
            {
                var modified = processors[p].Process(batch, drop);
                var dropped = Count(drop);
                counters[p].Add(dropped - droppedSoFar, modified);
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
