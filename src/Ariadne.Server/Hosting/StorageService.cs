using Ariadne.Server.Ingest;
using Ariadne.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ariadne.Server.Hosting;

/// <summary>
/// Opens the span store in the background (replaying the ingest log) and closes it last on shutdown,
/// after the listeners have stopped taking requests.
/// </summary>
internal sealed partial class StorageService : IHostedService
{
    private readonly StoreProvider _provider;
    private readonly SpanStoreOptions _options;
    private readonly ILogger<StorageService> _logger;
    private readonly TailSamplingStages _tailSampling;
    private readonly Export.ExporterHub _exporters;
    private readonly Tenancy.TenantStores _tenants;
    private readonly bool _multitenant;
    private Task? _opening;

    public StorageService(StoreProvider provider, SpanStoreOptions options, TailSamplingStages tailSampling, Export.ExporterHub exporters, Tenancy.TenantStores tenants, Configuration.AriadneOptions configuration, ILogger<StorageService> logger)
    {
        _tenants = tenants;
        _multitenant = configuration.MultitenancyEnabled;
        _exporters = exporters;
        _provider = provider;
        _tailSampling = tailSampling;
        _options = options;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _opening = Task.Run(OpenAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_opening is not null)
        {
            await _opening.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_provider.Store is { } store)
        {
            await _tailSampling.CloseAsync();
            await _exporters.CloseAsync();
            await _tenants.CloseOthersAsync();
            await store.DisposeAsync();
        }
        else
        {
            await _tenants.CloseOthersAsync();
        }
    }

    private async Task OpenAsync()
    {
        var started = TimeProvider.System.GetTimestamp();
        try
        {
            if (_multitenant)
            {
                _tenants.OpenExisting();
            }

            var store = await SpanStore.OpenAsync(_options);
            await _tailSampling.OpenAsync();
            await _exporters.OpenAsync();
            var stats = store.Statistics;
            var elapsed = TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
            LogOpened(_logger, _options.DataDirectory, stats.RecordsReplayed, stats.SpansStored, stats.TornRecordsTruncated, elapsed);
            _provider.SetOpened(store);
        }
        catch (Exception e)
        {
            // Whatever failed (a disk, a damaged file, a bug), say so: a task that faults unobserved
            // would leave the server "not ready" with nothing in the log.
            LogOpenFailed(_logger, _options.DataDirectory, e);
            _provider.SetFailed(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage ready in {Directory}: {Records} log records replayed, {Spans} spans, {Torn} torn records truncated, {Milliseconds:F0} ms")]
    private static partial void LogOpened(ILogger logger, string directory, long records, long spans, long torn, double milliseconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Storage in {Directory} could not be opened; ingest and queries stay unavailable")]
    private static partial void LogOpenFailed(ILogger logger, string directory, Exception exception);
}
