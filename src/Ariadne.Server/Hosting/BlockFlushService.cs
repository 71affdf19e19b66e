using Ariadne.Server.Configuration;
using Ariadne.Server.Ingest;
using Ariadne.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ariadne.Server.Hosting;

/// <summary>
/// Cuts the head into a block when it holds more spans than <c>storage.block.max_head_spans</c> or has
/// not been cut for <c>storage.block.max_duration</c>, so memory and the ingest log stay bounded.
/// </summary>
internal sealed partial class BlockFlushService : BackgroundService
{
    private readonly StoreProvider _stores;
    private readonly BlockOptions _options;
    private readonly ILogger<BlockFlushService> _logger;

    public BlockFlushService(StoreProvider stores, AriadneOptions options, ILogger<BlockFlushService> logger)
    {
        _stores = stores;
        _options = options.Storage.Block;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        SpanStore store;
        try
        {
            store = await _stores.Opened.WaitAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return; // the storage service has logged why
        }

        var lastCut = TimeProvider.System.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var head = store.Statistics.HeadSpans;
            var age = TimeProvider.System.GetElapsedTime(lastCut);
            if (head == 0 || (head < _options.MaxHeadSpans && age < _options.MaxDuration))
            {
                continue;
            }

            try
            {
                var meta = await store.FlushAsync(stoppingToken);
                lastCut = TimeProvider.System.GetTimestamp();
                if (meta is not null)
                {
                    LogCut(_logger, meta.BlockId, meta.SpanCount, meta.DataBytes);
                }
            }
            catch (StorageUnavailableException e)
            {
                LogCutFailed(_logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cut block {BlockId:N}: {Spans} spans, {Bytes} bytes")]
    private static partial void LogCut(ILogger logger, Guid blockId, long spans, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cutting a block failed; the spans stay in the head and the ingest log")]
    private static partial void LogCutFailed(ILogger logger, Exception exception);
}
