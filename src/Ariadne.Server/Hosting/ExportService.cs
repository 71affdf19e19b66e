using Ariadne.Server.Export;
using Ariadne.Server.Ingest;
using Microsoft.Extensions.Hosting;

namespace Ariadne.Server.Hosting;

/// <summary>Runs one delivery loop per queued exporter backend once storage (and with it the queues) is open.</summary>
internal sealed class ExportService : BackgroundService
{
    private readonly StoreProvider _stores;
    private readonly ExporterHub _hub;
    private readonly TimeProvider _time;

    public ExportService(StoreProvider stores, ExporterHub hub, TimeProvider time)
    {
        _stores = stores;
        _hub = hub;
        _time = time;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await _stores.WaitOpenedAsync(stoppingToken) is null)
        {
            return;
        }

        var loops = _hub.Queued.Select(exporter => Task.Run(() => exporter.RunAsync(_time, stoppingToken), CancellationToken.None)).ToList();
        try
        {
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
