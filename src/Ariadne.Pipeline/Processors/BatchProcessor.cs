using Ariadne.Model;

namespace Ariadne.Pipeline.Processors;

/// <summary>
/// <c>batch</c>: how spans are grouped into requests to the pipeline's queued exporters (<c>otlp</c>,
/// <c>otlphttp</c>, <c>loadbalancing</c>). Received spans are already made durable in groups (the
/// ingest log's group commit), so nothing is held in memory here: each exporter's delivery loop waits
/// up to <see cref="Timeout"/> for <see cref="SendBatchSize"/> spans to be queued, sends them as one
/// request, and splits anything larger than <see cref="SendBatchMaxSize"/> (0: no limit).
/// </summary>
internal sealed class BatchProcessor(string id, int sendBatchSize, int sendBatchMaxSize, TimeSpan timeout) : ISpanProcessor
{
    public string Id { get; } = id;

    public int SendBatchSize { get; } = sendBatchSize;

    public int SendBatchMaxSize { get; } = sendBatchMaxSize;

    public TimeSpan Timeout { get; } = timeout;

    /// <summary>Nothing happens on receipt.</summary>
    public int Process(SpanBatch batch, Span<bool> drop) => 0;
}
