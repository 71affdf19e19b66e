using System.Diagnostics.CodeAnalysis;
using Ariadne.Model;
using Ariadne.Storage.Log;
using Ariadne.Storage.Traces;

namespace Ariadne.Storage;

/// <summary>
/// Durable span storage: every batch is appended to the ingest log and acknowledged only once it is
/// on disk, then indexed by trace id. Opening replays the log, so the index never holds anything the
/// log does not.
/// </summary>
internal sealed class SpanStore : IAsyncDisposable
{
    private readonly IngestLog _log;
    private readonly ITraceIndex _index;
    private readonly LogReplayResult _replay;
    private long _failedAppends;

    private SpanStore(IngestLog log, ITraceIndex index, LogReplayResult replay)
    {
        _log = log;
        _index = index;
        _replay = replay;
    }

    public StorageStatistics Statistics => new(
        _index.SpanCount,
        _index.TraceCount,
        _log.SizeBytes,
        _replay.RecordsReplayed,
        _replay.TornRecordsTruncated,
        _log.FsyncCount,
        _log.LastFsyncDuration,
        Interlocked.Read(ref _failedAppends));

    public static Task<SpanStore> OpenAsync(SpanStoreOptions options, CancellationToken cancellationToken = default)
    {
        return Task.Run(() =>
        {
            var index = new InMemoryTraceIndex();
            var log = IngestLog.Open(
                new IngestLogOptions
                {
                    Directory = Path.Combine(options.DataDirectory, "wal"),
                    Device = options.Device,
                    SegmentSizeBytes = options.SegmentSizeBytes,
                },
                (sequence, kind, payload) =>
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (kind == LogRecordHeader.SpanBatchKind && SpanBatchCodec.TryDecode(payload.Span, out var batch, out _))
                    {
                        index.Add(batch!);
                    }
                },
                out var replay);
            return new SpanStore(log, index, replay);
        }, cancellationToken);
    }

    /// <summary>
    /// Makes the batch durable, then visible. The store keeps the batch: the caller must not change it afterwards.
    /// </summary>
    public async ValueTask AppendAsync(SpanBatch batch, CancellationToken cancellationToken = default)
    {
        try
        {
            await _log.AppendAsync(
                LogRecordHeader.SpanBatchKind,
                SpanBatchCodec.GetEncodedLength(batch),
                (destination, _) => SpanBatchCodec.Encode(batch, destination),
                cancellationToken);
        }
        catch (StorageUnavailableException)
        {
            Interlocked.Increment(ref _failedAppends);
            throw;
        }

        _index.Add(batch);
    }

    public bool TryGetTrace(TraceId traceId, [NotNullWhen(true)] out SpanBatch? trace) => _index.TryGetTrace(traceId, out trace);

    public ValueTask DisposeAsync() => _log.DisposeAsync();
}
