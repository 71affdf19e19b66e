using Ariadne.Server.Ingest;
using Ariadne.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ariadne.Server.Hosting;

/// <summary>
/// Runs the decision rounds of every pipeline's tail sampler: several times per decision_wait (at most
/// every second, at least every 50 ms), the traces whose wait is over are decided and the kept ones stored.
/// </summary>
internal sealed partial class TailSamplingService : BackgroundService
{
    private readonly StoreProvider _stores;
    private readonly TailSamplingStages _stages;
    private readonly ILogger<TailSamplingService> _logger;

    public TailSamplingService(StoreProvider stores, TailSamplingStages stages, ILogger<TailSamplingService> logger)
    {
        _stores = stores;
        _stages = stages;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await _stores.WaitOpenedAsync(stoppingToken) is not { } store)
        {
            return;
        }

        var stages = _stages.All;
        if (stages.Count == 0)
        {
            return;
        }

        var shortest = stages.Min(s => s.Sampler.DecisionWait);
        var tick = TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(1).Ticks));
        using var timer = new PeriodicTimer(tick);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var stage in stages)
            {
                try
                {
                    await stage.DecideDueAsync(store, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Nothing is lost: the traces stay buffered and the next round tries again.
                    LogRoundFailed(_logger, stage.Pipeline.Id, stage.Sampler.Id, e);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A tail-sampling round in {Pipeline} ({Processor}) failed; its traces stay buffered and the next round retries them")]
    private static partial void LogRoundFailed(ILogger logger, string pipeline, string processor, Exception exception);
}
