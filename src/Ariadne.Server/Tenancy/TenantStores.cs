using System.Collections.Concurrent;
using System.Threading.Channels;
using Ariadne.Server.Ingest;
using Ariadne.Storage;
using Microsoft.Extensions.Logging;

namespace Ariadne.Server.Tenancy;

/// <summary>
/// One span store per tenant, each in its own folder of the data directory (ingest log, head, blocks).
/// The single tenant's store is the one the storage service opens at start-up, so the path without
/// multi-tenancy is what it always was; another tenant's store is opened on its first use, or at
/// start-up when its folder already exists, and every query reads only the caller's.
/// </summary>
internal sealed partial class TenantStores
{
    private readonly StoreProvider _single;
    private readonly SpanStoreOptions _template;
    private readonly string _root;
    private readonly ILogger<TenantStores> _logger;
    private readonly ConcurrentDictionary<string, StoreProvider> _others = new(StringComparer.Ordinal);
    private readonly Channel<(string Tenant, SpanStore Store)> _opened = Channel.CreateUnbounded<(string, SpanStore)>();
    private readonly Lock _closing = new();
    private bool _closed;

    public TenantStores(StoreProvider single, SpanStoreOptions template, ILogger<TenantStores> logger)
    {
        _single = single;
        _template = template;
        _root = Path.GetDirectoryName(Path.GetFullPath(template.DataDirectory))!;
        _logger = logger;
    }

    /// <summary>Stores of tenants other than the single tenant as they open, for the maintenance loops.</summary>
    public ChannelReader<(string Tenant, SpanStore Store)> Opened => _opened.Reader;

    public StoreProvider Single => _single;

    /// <summary>The tenant's store, opened (in the background) on first use.</summary>
    public StoreProvider For(string tenant) =>
        tenant == TenantId.Single ? _single : _others.GetOrAdd(tenant, Open);

    /// <summary>The tenant's store opened and ready, waiting for a first open; null when it cannot be opened.</summary>
    public async ValueTask<SpanStore?> OpenedAsync(string tenant, CancellationToken cancellationToken) =>
        For(tenant) is { Store: { } store } ? store : await For(tenant).WaitOpenedAsync(cancellationToken);

    /// <summary>Opens the stores of tenants that already have a folder, so their data is readable once the server is ready.</summary>
    public void OpenExisting()
    {
        if (!Directory.Exists(_root))
        {
            return;
        }

        foreach (var directory in Directory.EnumerateDirectories(_root))
        {
            var name = Path.GetFileName(directory);
            if (name != TenantId.Single && TenantId.IsValid(name))
            {
                For(name);
            }
        }
    }

    /// <summary>Closes every tenant's store but the single tenant's (the storage service closes that one).</summary>
    public async Task CloseOthersAsync()
    {
        lock (_closing)
        {
            _closed = true;
        }

        _opened.Writer.TryComplete();
        foreach (var (_, provider) in _others)
        {
            if (await provider.WaitOpenedAsync(CancellationToken.None) is { } store)
            {
                await store.DisposeAsync();
            }
        }
    }

    private StoreProvider Open(string tenant)
    {
        var provider = new StoreProvider();
        var options = new SpanStoreOptions
        {
            DataDirectory = Path.Combine(_root, tenant),
            Tenant = tenant,
            Device = _template.Device,
            SegmentSizeBytes = _template.SegmentSizeBytes,
            MaxGroupCommitDelay = _template.MaxGroupCommitDelay,
            MaxQueuedAppends = _template.MaxQueuedAppends,
            MaxRecordBytes = _template.MaxRecordBytes,
            Codec = _template.Codec,
        };
        _ = Task.Run(async () =>
        {
            try
            {
                var store = await SpanStore.OpenAsync(options);
                lock (_closing)
                {
                    if (_closed)
                    {
                        provider.SetFailed(new ObjectDisposedException(nameof(TenantStores)));
                        _ = store.DisposeAsync().AsTask();
                        return;
                    }
                }

                LogOpened(_logger, tenant, store.Statistics.SpansStored);
                _opened.Writer.TryWrite((tenant, store));
                provider.SetOpened(store);
            }
            catch (Exception e)
            {
                LogOpenFailed(_logger, tenant, e);
                provider.SetFailed(e);
            }
        });
        return provider;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage of tenant {Tenant} open: {Spans} spans")]
    private static partial void LogOpened(ILogger logger, string tenant, long spans);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage of tenant {Tenant} could not be opened; its writes and reads are refused")]
    private static partial void LogOpenFailed(ILogger logger, string tenant, Exception exception);
}
