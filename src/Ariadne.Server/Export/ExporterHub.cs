using Ariadne.Model;
using Ariadne.Pipeline;
using Ariadne.Pipeline.Exporters;
using Ariadne.Server.Ingest;
using Ariadne.Storage;
using Ariadne.Storage.Export;
using Microsoft.Extensions.Logging;

namespace Ariadne.Server.Export;

/// <summary>
/// Every exporter the pipelines use, opened with the storage: writes a pipeline's output to each of
/// its exporters and is done when all of them have it durably (the store, the persistent queues) or
/// written (debug, file). An exporter used by several pipelines is one instance with one queue.
/// </summary>
internal sealed class ExporterHub
{
    public const string Directory = "queues";

    private readonly PipelineRouter _router;
    private readonly SpanStoreOptions _storage;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, QueuedExporter[]> _queued = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TraceIdRing> _rings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DebugExporter> _debug = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileExporter> _files = new(StringComparer.Ordinal);

    public ExporterHub(PipelineRouter router, SpanStoreOptions storage, ILoggerFactory loggers, TimeProvider time)
    {
        _router = router;
        _storage = storage;
        _loggers = loggers;
        _time = time;
    }

    /// <summary>Every queued backend, for the delivery loops and /metrics.</summary>
    public IEnumerable<QueuedExporter> Queued => _queued.Values.SelectMany(q => q);

    public async Task OpenAsync(CancellationToken cancellationToken = default)
    {
        var logger = _loggers.CreateLogger<QueuedExporter>();
        foreach (var (settings, batching) in _router.Pipelines.SelectMany(p => p.Exporters.Select(e => (Exporter: e, p.Batching))).DistinctBy(e => e.Exporter.Id))
        {
            switch (settings)
            {
                case OtlpExporterSettings otlp:
                    _queued[otlp.Id] = [await OpenQueuedAsync(otlp, batching, logger, cancellationToken)];
                    break;
                case LoadBalancingExporterSettings balancing:
                    var backends = new QueuedExporter[balancing.Backends.Count];
                    for (var i = 0; i < backends.Length; i++)
                    {
                        backends[i] = await OpenQueuedAsync(balancing.Backends[i], batching, logger, cancellationToken);
                    }

                    _queued[balancing.Id] = backends;
                    _rings[balancing.Id] = new TraceIdRing([.. balancing.Backends.Select(b => b.Endpoint.Authority)]);
                    break;
                case DebugExporterSettings debug:
                    _debug[debug.Id] = new DebugExporter(debug, Console.Out);
                    break;
                case FileExporterSettings file:
                    _files[file.Id] = new FileExporter(file);
                    break;
            }
        }
    }

    private async Task<QueuedExporter> OpenQueuedAsync(OtlpExporterSettings settings, Pipeline.Processors.BatchProcessor? batching, ILogger logger, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(_storage.DataDirectory, Directory, Sanitize(settings.Id));
        var queue = await ExportQueue.OpenAsync(folder, settings.Queue.MaxBytes, _storage.Device, cancellationToken: cancellationToken);
        return new QueuedExporter(settings.Id, settings, queue, batching, logger);
    }

    private static string Sanitize(string id)
    {
        var chars = id.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] is not ('-' or '_' or '.'))
            {
                chars[i] = '_';
            }
        }

        return new string(chars);
    }

    /// <summary>Hands the batch to each of the pipeline's exporters; throws <see cref="StorageUnavailableException"/> if one could not take it durably.</summary>
    public async ValueTask WriteAsync(SpanPipeline pipeline, SpanBatch batch, SpanStore store, CancellationToken cancellationToken)
    {
        if (batch.SpanCount == 0)
        {
            return;
        }

        var exporters = pipeline.Exporters;
        if (exporters is [StorageExporterSettings])
        {
            await store.AppendAsync(batch, cancellationToken);
            return;
        }

        var arrival = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var pending = new List<Task>(exporters.Count);
        foreach (var exporter in exporters)
        {
            switch (exporter)
            {
                case StorageExporterSettings:
                    pending.Add(store.AppendAsync(batch, cancellationToken).AsTask());
                    break;
                case OtlpExporterSettings:
                    pending.Add(_queued[exporter.Id][0].Queue.EnqueueAsync(batch, arrival, cancellationToken).AsTask());
                    break;
                case LoadBalancingExporterSettings:
                    var backends = _queued[exporter.Id];
                    foreach (var (backend, part) in Split(_rings[exporter.Id], batch, backends.Length))
                    {
                        pending.Add(backends[backend].Queue.EnqueueAsync(part, arrival, cancellationToken).AsTask());
                    }

                    break;
                case DebugExporterSettings:
                    _debug[exporter.Id].Export(batch);
                    break;
                case FileExporterSettings:
                    try
                    {
                        _files[exporter.Id].Export(batch);
                    }
                    catch (IOException e)
                    {
                        throw new StorageUnavailableException($"{exporter.Id} could not write: {e.Message}", e);
                    }

                    break;
            }
        }

        await Task.WhenAll(pending);
    }

    /// <summary>The batch's spans grouped by the backend their trace id maps to.</summary>
    private static List<(int Backend, SpanBatch Part)> Split(TraceIdRing ring, SpanBatch batch, int backends)
    {
        var parts = new SpanCopier?[backends];
        var rows = batch.Spans.Rows;
        for (var i = 0; i < rows.Length; i++)
        {
            var backend = ring.BackendOf(rows[i].TraceId);
            (parts[backend] ??= new SpanCopier(new SpanBatch())).CopySpan(batch, i);
        }

        var result = new List<(int, SpanBatch)>();
        for (var b = 0; b < backends; b++)
        {
            if (parts[b] is { } copier)
            {
                result.Add((b, copier.Destination));
            }
        }

        return result;
    }

    /// <summary>Closes the queues (what waits in them is delivered after the next start) and the files.</summary>
    public async ValueTask CloseAsync()
    {
        foreach (var exporter in Queued)
        {
            await exporter.DisposeAsync();
        }

        foreach (var file in _files.Values)
        {
            file.Dispose();
        }
    }
}
