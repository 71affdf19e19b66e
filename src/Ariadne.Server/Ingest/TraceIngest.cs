using Ariadne.Model;
using Ariadne.Pipeline;
using Ariadne.Storage;

namespace Ariadne.Server.Ingest;

/// <summary>
/// The transport-neutral ingest service every receiver calls with a decoded batch: it rejects invalid
/// spans individually, makes the rest durable, and says what to tell the client.
/// </summary>
internal sealed class TraceIngest
{
    private readonly Tenancy.TenantStores _stores;
    private readonly TailSamplingStages _tailSampling;
    private readonly Export.ExporterHub _exporters;
    private readonly Sampling.SamplingStrategies _sampling;
    private readonly Tenancy.TenantAnalyzers _analysis;
    private readonly Tenancy.TenantQuotas _quotas;

    public TraceIngest(Tenancy.TenantStores stores, TailSamplingStages tailSampling, Export.ExporterHub exporters, Sampling.SamplingStrategies sampling, Tenancy.TenantAnalyzers analysis, Tenancy.TenantQuotas quotas)
    {
        _quotas = quotas;
        _analysis = analysis;
        _sampling = sampling;
        _stores = stores;
        _tailSampling = tailSampling;
        _exporters = exporters;
    }

    /// <summary>
    /// Whether a request may be read at all: receivers ask before they read and decompress the body, so
    /// a server that is starting or over its memory limit spends nothing on data it would refuse.
    /// </summary>
    public bool Admits(string tenant, SpanPipeline? pipeline, ReceiverCounters counters, out string refusal)
    {
        // Another tenant's store may still be opening on its first write: the write waits for it.
        var stores = _stores.For(tenant);
        if (stores.Store is null && (tenant == Tenancy.TenantId.Single || stores.OpenFailure is not null))
        {
            refusal = "storage is starting (replaying the ingest log); retry shortly";
            counters.RefuseRequest();
            return false;
        }

        if (pipeline is not null && !pipeline.Admits(out refusal))
        {
            counters.RefuseRequest();
            return false;
        }

        refusal = string.Empty;
        return true;
    }

    /// <summary>Rejects invalid spans, runs the receiver's pipeline on the rest, and makes what is left durable.</summary>
    /// <param name="tenant">The tenant whose store receives the spans.</param>
    /// <param name="batch">The decoded spans.</param>
    /// <param name="requestBytes">The request body's size, for the tenant's byte rate.</param>
    /// <param name="counters">The receiver's counters.</param>
    /// <param name="pipeline">The receiver's pipeline, whose processors run on the valid spans before they are made durable.</param>
    /// <param name="cancellationToken">The request's cancellation.</param>
    public async ValueTask<IngestResult> IngestAsync(string tenant, SpanBatch batch, long requestBytes, ReceiverCounters counters, SpanPipeline? pipeline, CancellationToken cancellationToken)
    {
        var store = _stores.For(tenant).Store ?? (tenant == Tenancy.TenantId.Single ? null : await _stores.OpenedAsync(tenant, cancellationToken));
        if (store is null)
        {
            counters.Add(0, batch.SpanCount);
            return IngestResult.Unavailable("storage is starting (replaying the ingest log); retry shortly");
        }

        if (pipeline is not null && !pipeline.Admits(out var refusal))
        {
            counters.Add(0, batch.SpanCount);
            return IngestResult.Unavailable(refusal);
        }

        // Over the rate, the request is refused whole before anything of it is observed or stored.
        var wait = _quotas.Admit(tenant, batch.SpanCount, requestBytes);
        if (wait > TimeSpan.Zero)
        {
            counters.Add(0, batch.SpanCount);
            return IngestResult.RateLimited(batch.SpanCount, wait, $"tenant '{tenant}' is over its ingestion rate (RATE_LIMITED); retry after {wait.TotalSeconds:F1} s");
        }

        var (rejected, firstDefect) = CountDefects(batch);
        if (rejected > 0)
        {
            batch.RemoveDefectiveSpans();
        }

        var accepted = batch.SpanCount;
        _sampling.Observe(batch);

        // Span metrics and the service graph see every accepted span, before processors or samplers drop any.
        _analysis.For(tenant).Observe(batch);

        // Spans a processor drops were received correctly: they count as accepted, not rejected.
        pipeline?.Process(batch);
        var (dropped, dropReason) = _quotas.DropOverLimits(tenant, batch, store);
        if (batch.SpanCount > 0)
        {
            try
            {
                if (pipeline is null)
                {
                    await store.AppendAsync(batch, cancellationToken);
                }
                else if (_tailSampling.For(pipeline) is { } tail)
                {
                    await tail.AcceptAsync(batch, store, cancellationToken);
                }
                else
                {
                    await _exporters.WriteAsync(pipeline, batch, store, cancellationToken);
                }
            }
            catch (StorageUnavailableException e)
            {
                counters.Add(0, accepted + rejected);
                return IngestResult.Unavailable($"storage cannot accept data: {e.Message}");
            }
        }

        counters.Add(accepted - dropped, rejected + dropped);
        var message = rejected == 0
            ? dropReason
            : $"{rejected} span(s) rejected; first: {SpanValidator.Describe(firstDefect)}";
        return new IngestResult(IngestOutcome.Accepted, accepted - dropped, rejected + dropped, message);
    }

    private static (int Rejected, SpanDefect First) CountDefects(SpanBatch batch)
    {
        var rejected = 0;
        var first = SpanDefect.None;
        foreach (ref readonly var span in batch.Spans.Rows)
        {
            if (span.Defect != SpanDefect.None)
            {
                if (rejected++ == 0)
                {
                    first = span.Defect;
                }
            }
        }

        return (rejected, first);
    }
}
