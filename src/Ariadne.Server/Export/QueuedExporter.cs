using Ariadne.Pipeline.Exporters;
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
    private long _sentSpans;
    private long _failedSpans;
    private long _retries;

    public QueuedExporter(string id, OtlpExporterSettings settings, ExportQueue queue, ILogger logger)
    {
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

    public async Task RunAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var retry = Settings.Retry;
        while (!cancellationToken.IsCancellationRequested)
        {
            var item = await Queue.PeekAsync(cancellationToken);
            var firstTry = time.GetTimestamp();
            var delay = retry.InitialInterval;
            var failing = false;
            while (true)
            {
                var result = await _sender.SendAsync(item.Batch, cancellationToken);
                if (result.Outcome == SendOutcome.Sent)
                {
                    Interlocked.Add(ref _sentSpans, item.Batch.SpanCount);
                    if (failing)
                    {
                        LogRecovered(_logger, Id, Settings.Endpoint);
                    }

                    break;
                }

                var expired = retry.MaxElapsedTime > TimeSpan.Zero && time.GetElapsedTime(firstTry) >= retry.MaxElapsedTime;
                if (result.Outcome == SendOutcome.Rejected || !retry.Enabled || expired)
                {
                    Interlocked.Add(ref _failedSpans, item.Batch.SpanCount);
                    LogDropped(_logger, Id, item.Batch.SpanCount, result.Error ?? "refused");
                    break;
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

            Queue.Delivered(item.Sequence);
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
