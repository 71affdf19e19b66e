using Ariadne.Server.Configuration;
using Ariadne.Server.Ingest;
using Ariadne.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ariadne.Server.Hosting;

/// <summary>
/// Keeps storage bounded: cuts the head into a block when it holds more than
/// <c>storage.block.max_head_spans</c> spans or has not been cut for <c>storage.block.max_duration</c>
/// (only traces idle for <c>storage.block.trace_idle_period</c> go; live ones stay in the head);
/// every <c>storage.compaction.interval</c> merges small blocks until none are left to merge; applies retention by age (per tenant under <c>overrides</c>) and size. Every tenant's store gets the same loops.
/// </summary>
internal sealed partial class StorageMaintenanceService : BackgroundService
{
    private readonly StoreProvider _stores;
    private readonly Tenancy.TenantStores _tenants;
    private readonly Tenancy.TenantLimits _limits;
    private readonly StorageOptions _options;
    private readonly ILogger<StorageMaintenanceService> _logger;

    public StorageMaintenanceService(StoreProvider stores, Tenancy.TenantStores tenants, Tenancy.TenantLimits limits, AriadneOptions options, ILogger<StorageMaintenanceService> logger)
    {
        _tenants = tenants;
        _limits = limits;
        _stores = stores;
        _options = options.Storage;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new List<Task>();
        if (await _stores.WaitOpenedAsync(stoppingToken) is { } store)
        {
            running.Add(MaintainAsync(store, _limits.RetentionMaxAge(Tenancy.TenantId.Single), stoppingToken));
        }

        // Every other tenant's store gets the same loops once it has been opened.
        try
        {
            await foreach (var (tenant, opened) in _tenants.Opened.ReadAllAsync(stoppingToken))
            {
                running.Add(MaintainAsync(opened, _limits.RetentionMaxAge(tenant), stoppingToken));
            }
        }
        catch (OperationCanceledException)
        {
        }

        try
        {
            await Task.WhenAll(running);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task MaintainAsync(SpanStore store, TimeSpan retention, CancellationToken stoppingToken)
    {
        // Cuts and compaction run side by side: a merge of large blocks takes many seconds, and the
        // head must keep being cut meanwhile or it grows with every span received.
        var compaction = Task.Run(() => CompactionLoopAsync(store, retention, stoppingToken), CancellationToken.None);
        try
        {
            await Task.Run(() => CutLoopAsync(store, stoppingToken), CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            try
            {
                await compaction;
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task CutLoopAsync(SpanStore store, CancellationToken stoppingToken)
    {
        var clock = TimeProvider.System;
        var lastCut = clock.GetTimestamp();

        // Check often enough for the configured period, but no more than every 50 ms.
        var tick = TimeSpan.FromTicks(Math.Clamp(_options.Block.MaxDuration.Ticks / 2, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
        using var timer = new PeriodicTimer(tick);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var head = store.Statistics.HeadSpans;
                if (head > 0 && (head >= _options.Block.MaxHeadSpans || clock.GetElapsedTime(lastCut) >= _options.Block.MaxDuration))
                {
                    // Live traces are carried over unless they are most of a full head: then carrying
                    // them would only rewrite the same spans, and a split trace still reads whole.
                    // Written in blocks of at most cut_block_spans spans, so a head that grew while
                    // cuts fell behind costs no more memory to cut than a small one.
                    var written = await store.CutAsync(_options.Block.TraceIdlePeriod, _options.Block.MaxHeadSpans / 2, _options.Block.CutBlockSpans, stoppingToken);
                    lastCut = clock.GetTimestamp();
                    foreach (var meta in written)
                    {
                        LogCut(_logger, meta.BlockId, meta.SpanCount, meta.DataBytes);
                    }
                }
            }
            catch (StorageUnavailableException e)
            {
                LogMaintenanceFailed(_logger, e);
            }
        }
    }

    private async Task CompactionLoopAsync(SpanStore store, TimeSpan retention, CancellationToken stoppingToken)
    {
        var tick = TimeSpan.FromTicks(Math.Max(_options.Compaction.Interval.Ticks, TimeSpan.FromMilliseconds(50).Ticks));
        using var timer = new PeriodicTimer(tick);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                // A merge waits while the head is past the size that triggers a cut: cuts are then behind.
                foreach (var merged in await store.CompactAllAsync(_options.Compaction.MaxBlockBytes, _options.Compaction.MinBlocks, _options.Block.MaxHeadSpans, stoppingToken))
                {
                    LogCompacted(_logger, merged.BlockId, merged.SpanCount, merged.DataBytes);
                }

                var removed = await store.ApplyRetentionAsync(retention, _options.Retention.MaxBytes, TimeProvider.System.GetUtcNow(), stoppingToken);
                if (removed > 0)
                {
                    LogRetention(_logger, removed);
                }
            }
            catch (StorageUnavailableException e)
            {
                LogMaintenanceFailed(_logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cut block {BlockId:N}: {Spans} spans, {Bytes} bytes")]
    private static partial void LogCut(ILogger logger, Guid blockId, long spans, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Compacted into block {BlockId:N}: {Spans} spans, {Bytes} bytes")]
    private static partial void LogCompacted(ILogger logger, Guid blockId, long spans, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Blocks} block(s)")]
    private static partial void LogRetention(ILogger logger, int blocks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage maintenance failed; the spans stay where they were and it is retried")]
    private static partial void LogMaintenanceFailed(ILogger logger, Exception exception);
}
