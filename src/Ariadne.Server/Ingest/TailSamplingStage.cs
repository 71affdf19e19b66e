using Ariadne.Model;
using Ariadne.Pipeline;
using Ariadne.Pipeline.TailSampling;
using Ariadne.Storage;
using Ariadne.Storage.Tail;

namespace Ariadne.Server.Ingest;

/// <summary>
/// A pipeline's tail sampling, end to end: received spans of undecided traces go durably into the
/// pipeline's trace buffer (only then are they acknowledged); spans of traces decided earlier follow
/// the cached decision at once; each round decides the traces whose decision_wait has passed, stores
/// the kept ones and logs the decisions.
/// </summary>
internal sealed class TailSamplingStage
{
    /// <summary>Kept spans are stored in batches of about this many.</summary>
    private const int StoreBatchSpans = 4096;

    private readonly TimeProvider _time;

    private readonly Export.ExporterHub _exporters;

    public TailSamplingStage(SpanPipeline pipeline, TraceBuffer buffer, Export.ExporterHub exporters, TimeProvider time)
    {
        _exporters = exporters;
        Pipeline = pipeline;
        Sampler = pipeline.TailSampling!.Sampler;
        Buffer = buffer;
        _time = time;
        foreach (var (traceId, sampled) in buffer.ReplayedDecisions)
        {
            Sampler.Remember(traceId, sampled);
        }
    }

    public SpanPipeline Pipeline { get; }

    public TailSampler Sampler { get; }

    public TraceBuffer Buffer { get; }

    /// <summary>Buffers the batch's spans (or, for decided traces, stores or drops them); durable when this returns.</summary>
    public async ValueTask AcceptAsync(SpanBatch batch, SpanStore store, CancellationToken cancellationToken)
    {
        SpanBatch? undecided = null, late = null;
        SpanCopier? undecidedCopier = null, lateCopier = null;
        var droppedLate = 0;
        var rows = batch.Spans.Rows;
        for (var i = 0; i < rows.Length; i++)
        {
            if (!Sampler.TryGetDecision(rows[i].TraceId, out var sampled))
            {
                if (late is null && droppedLate == 0)
                {
                    continue;
                }

                (undecidedCopier ??= new SpanCopier(undecided = new SpanBatch())).CopySpan(batch, i);
                continue;
            }

            if (late is null && droppedLate == 0)
            {
                // The first decided span: what came before it was undecided.
                undecidedCopier = new SpanCopier(undecided = new SpanBatch());
                for (var j = 0; j < i; j++)
                {
                    undecidedCopier.CopySpan(batch, j);
                }
            }

            Sampler.CountLateSpans(1);
            if (sampled)
            {
                (lateCopier ??= new SpanCopier(late = new SpanBatch())).CopySpan(batch, i);
            }
            else
            {
                droppedLate++;
            }
        }

        if (late is null && droppedLate == 0)
        {
            undecided = batch;
        }

        Pipeline.TailSamplingCounters!.Add(droppedLate, 0);
        if (late is not null)
        {
            await StoreAsync(late, store, cancellationToken);
        }

        if (undecided is { SpanCount: > 0 })
        {
            await Buffer.AppendAsync(undecided, _time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        }
    }

    /// <summary>
    /// Decides every trace that is due, stores the kept ones, logs the decisions; returns how many traces
    /// were decided. Rounds must not overlap (one loop runs them).
    /// </summary>
    public async Task<int> DecideDueAsync(SpanStore store, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var cutoff = now.ToUnixTimeMilliseconds() - (long)Sampler.DecisionWait.TotalMilliseconds;
        var due = await Buffer.TakeDueAsync(cutoff, Sampler.NumTraces, cancellationToken);
        if (due.Count == 0)
        {
            return 0;
        }

        var decisions = new List<(TraceId, bool)>(due.Count);
        try
        {
            var kept = new SpanBatch();
            var copier = new SpanCopier(kept);
            var second = now.ToUnixTimeSeconds();
            var early = 0;
            foreach (var trace in due)
            {
                early += trace.DecidedEarly ? 1 : 0;
                if (trace.FollowsDecision)
                {
                    Sampler.CountLateSpans(trace.Spans.Count);
                }

                var sampled = Sampler.TryGetDecision(trace.TraceId, out var cached)
                    ? cached
                    : Sampler.Decide(trace.TraceId, trace.Spans, second);
                decisions.Add((trace.TraceId, sampled));
                if (!sampled)
                {
                    Pipeline.TailSamplingCounters!.Add(trace.Spans.Count, 0);
                    continue;
                }

                foreach (var span in trace.Spans)
                {
                    copier.CopySpan(span.Batch, span.Index);
                }

                if (kept.SpanCount >= StoreBatchSpans)
                {
                    await StoreAsync(kept, store, cancellationToken);
                    kept = new SpanBatch();
                    copier = new SpanCopier(kept);
                }
            }

            await StoreAsync(kept, store, cancellationToken);
            Sampler.CountDecidedEarly(early);
            await Buffer.CompleteAsync(decisions, cancellationToken);
        }
        catch (Exception)
        {
            // Nothing is lost: the traces stay buffered and are decided again next round (the cached
            // decisions make that the same decision; spans stored twice read once).
            Buffer.Return(due);
            throw;
        }

        return due.Count;
    }

    private async ValueTask StoreAsync(SpanBatch batch, SpanStore store, CancellationToken cancellationToken)
    {
        Pipeline.ProcessSampled(batch);
        await _exporters.WriteAsync(Pipeline, batch, store, cancellationToken);
    }
}
