using Ariadne.Model;
using Ariadne.Pipeline.Exporters;
using Ariadne.Pipeline.Processors;
using Ariadne.Storage.Export;
using Microsoft.Extensions.Logging;

namespace Ariadne.Server.Export;

/// <summary>
/// One backend of an <c>otlp</c>, <c>otlphttp</c> or <c>loadbalancing</c> exporter: its persistent
/// queue and the loop that delivers it in order, retrying with exponential backoff (or the backend's
/// Retry-After) while the backend cannot take data, and giving a batch up only when the backend
/// refuses it for good or <c>retry_on_failure.max_elapsed_time</c> (0: never) has passed.
/// </summary>
internal sealed partial class QueuedExporter : IAsyncDisposable
{
    private readonly SpanSender _sender;
    private readonly ILogger _logger;
    private readonly BatchProcessor? _batching;
    private long _sentSpans;
    private long _failedSpans;
    private long _retries;
    private long _requests;

    public QueuedExporter(string id, OtlpExporterSettings settings, ExportQueue queue, BatchProcessor? batching, ILogger logger)
    {
        _batching = batching;
        Id = id;
        Settings = settings;
        Queue = queue;
        _sender = SpanSender.Create(settings);
        _logger = logger;
    }

    /// <summary>The exporter id, with the backend in brackets for a load-balancing exporter's backends.</summary>
    public string Id { get; }

    public OtlpExporterSettings Settings { get; }

    public ExportQueue Queue { get; }

    public long SentSpans => Interlocked.Read(ref _sentSpans);

    public long FailedSpans => Interlocked.Read(ref _failedSpans);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Requests the backend acknowledged.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    public async Task RunAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var target = _batching?.SendBatchSize ?? 1;
        var linger = _batching?.Timeout ?? TimeSpan.Zero;
        var max = _batching?.SendBatchMaxSize ?? 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var taken = await Queue.TakeAsync(target, linger, time, cancellationToken);
            foreach (var request in RequestsOf(taken, max))
            {
                await DeliverAsync(request, time, cancellationToken);
            }

            Queue.Delivered(taken[^1].Sequence);
        }
    }

    /// <summary>The queued batches as requests: merged when several were taken, split at <paramref name="max"/> spans (0: no limit).</summary>
    private IEnumerable<SpanBatch> RequestsOf(List<Storage.Export.QueuedBatch> taken, int max)
    {
        var readable = new List<SpanBatch>(taken.Count);
        foreach (var item in taken)
        {
            if (item.Batch is { } batch)
            {
                readable.Add(batch);
            }
            else
            {
                LogDropped(_logger, Id, 0, "a queued batch was damaged on disk and could not be read");
            }
        }

        if (readable.Count == 1 && (max == 0 || readable[0].SpanCount <= max))
        {
            yield return readable[0];
            yield break;
        }

        var request = new SpanBatch();
        var copier = new SpanCopier(request);
        foreach (var batch in readable)
        {
            for (var i = 0; i < batch.SpanCount; i++)
            {
                copier.CopySpan(batch, i);
                if (max > 0 && request.SpanCount == max)
                {
                    yield return request;
                    request = new SpanBatch();
                    copier = new SpanCopier(request);
                }
            }
        }

        if (request.SpanCount > 0)
        {
            yield return request;
        }
    }

    private async Task DeliverAsync(SpanBatch batch, TimeProvider time, CancellationToken cancellationToken)
    {
        var retry = Settings.Retry;
        var firstTry = time.GetTimestamp();
        var delay = retry.InitialInterval;
        var failing = false;
        while (true)
        {
            var result = await _sender.SendAsync(batch, cancellationToken);
            if (result.Outcome == SendOutcome.Sent)
            {
                Interlocked.Add(ref _sentSpans, batch.SpanCount);
                Interlocked.Increment(ref _requests);
                if (failing)
                {
                    LogRecovered(_logger, Id, Settings.Endpoint);
                }

                return;
            }

            var expired = retry.MaxElapsedTime > TimeSpan.Zero && time.GetElapsedTime(firstTry) >= retry.MaxElapsedTime;
            if (result.Outcome == SendOutcome.Rejected || !retry.Enabled || expired)
            {
                Interlocked.Add(ref _failedSpans, batch.SpanCount);
                LogDropped(_logger, Id, batch.SpanCount, result.Error ?? "refused");
                return;
            }

            if (!failing)
            {
                LogRetrying(_logger, Id, result.Error ?? "unavailable");
                failing = true;
            }

            Interlocked.Increment(ref _retries);
            var wait = result.RetryAfter is { } after && after > TimeSpan.Zero ? after : Jitter(delay);
            await Task.Delay(wait, time, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min((long)(delay.Ticks * retry.Multiplier), retry.MaxInterval.Ticks));
        }
    }

    /// <summary>±50 %, as the Collector's default randomization factor, so many senders do not retry in step.</summary>
    private static TimeSpan Jitter(TimeSpan delay) => TimeSpan.FromTicks((long)(delay.Ticks * (0.5 + Random.Shared.NextDouble())));

    public async ValueTask DisposeAsync()
    {
        _sender.Dispose();
        await Queue.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Exporter {Exporter} cannot deliver ({Error}); spans stay queued on disk and are retried")]
    private static partial void LogRetrying(ILogger logger, string exporter, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Exporter {Exporter} delivers to {Endpoint} again")]
    private static partial void LogRecovered(ILogger logger, string exporter, Uri endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "Exporter {Exporter} gave up {Spans} spans: {Error}")]
    private static partial void LogDropped(ILogger logger, string exporter, int spans, string error);
}
