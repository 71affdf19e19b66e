using System.Buffers;
using System.Globalization;
using Ariadne.Model;
using Ariadne.Storage.IO;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Export;

/// <summary>
/// An exporter's persistent queue: batches wait in an ingest log of their own, in order, until the
/// exporter has delivered them. A checkpoint file records the last delivered record; segments wholly
/// before it are deleted. A backend that is down only makes the queue grow, up to its byte quota; past
/// that, appends are refused (the receiver answers "retry later"), so nothing accepted is dropped. After
/// a crash the log is replayed from the checkpoint: delivery is at least once.
/// </summary>
internal sealed class ExportQueue : IAsyncDisposable
{
    public const ushort BatchKind = 1;
    private const string CheckpointFile = "checkpoint";

    private readonly IngestLog _log;
    private readonly string _directory;
    private readonly IStorageDevice _device;
    private readonly long _maxBytes;
    private readonly Lock _lock = new();
    private readonly Queue<Waiting> _waiting;
    /// <summary>Released when a batch is queued; takers wait on it (its count is only a hint).</summary>
    private readonly SemaphoreSlim _queued = new(0);
    private long _checkpoint;
    private long _waitingSpans;

    private ExportQueue(IngestLog log, string directory, IStorageDevice device, long maxBytes, Queue<Waiting> waiting, long checkpoint)
    {
        _log = log;
        _directory = directory;
        _device = device;
        _maxBytes = maxBytes;
        _waiting = waiting;
        _checkpoint = checkpoint;
        foreach (var item in waiting)
        {
            _waitingSpans += item.Spans;
        }
    }

    /// <summary>Batches waiting to be delivered.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Spans waiting to be delivered.</summary>
    public long SpanCount
    {
        get
        {
            lock (_lock)
            {
                return _waitingSpans;
            }
        }
    }

    /// <summary>Bytes of the queue's log on disk.</summary>
    public long SizeBytes => _log.SizeBytes;

    /// <summary>When the oldest waiting batch was queued (Unix milliseconds), or null when none waits.</summary>
    public long? OldestArrivalUnixMilliseconds
    {
        get
        {
            lock (_lock)
            {
                return _waiting.TryPeek(out var oldest) ? oldest.Arrival : null;
            }
        }
    }

    /// <summary>Opens (or creates) the queue in <paramref name="directory"/>; what was not delivered before waits again.</summary>
    public static Task<ExportQueue> OpenAsync(string directory, long maxBytes, IStorageDevice? device = null, long segmentSizeBytes = 16L << 20, CancellationToken cancellationToken = default)
    {
        device ??= FileSystemDevice.Instance;
        return Task.Run(
            () =>
            {
                device.CreateDirectory(directory);
                var checkpointPath = Path.Combine(directory, CheckpointFile);
                var checkpoint = device.FileExists(checkpointPath)
                    && long.TryParse(System.Text.Encoding.ASCII.GetString(device.ReadAllBytes(checkpointPath)), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var saved)
                    ? saved
                    : -1;
                var waiting = new Queue<Waiting>();
                var locations = new Dictionary<long, LogRecordLocation>();
                ExportQueue? queue = null;
                var log = IngestLog.Open(
                    new IngestLogOptions { Directory = directory, Device = device, SegmentSizeBytes = segmentSizeBytes },
                    (sequence, kind, payload) =>
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        if (sequence > checkpoint && kind == BatchKind && SpanRecord.TryDecode(payload.Span, out var arrival, out var batch))
                        {
                            waiting.Enqueue(new Waiting(locations[sequence], arrival, batch.SpanCount));
                        }

                        locations.Remove(sequence);
                    },
                    out _,
                    (location, state) => queue!.OnDurable(location, (Waiting)state!),
                    location => locations[location.Sequence] = location);
                queue = new ExportQueue(log, directory, device, maxBytes, waiting, checkpoint);

                return queue;
            },
            cancellationToken);
    }

    /// <summary>
    /// Queues the batch durably. Throws <see cref="StorageUnavailableException"/> when the queue is over
    /// its byte quota (the backend has been away long enough to fill it) or the disk fails.
    /// </summary>
    public async ValueTask EnqueueAsync(SpanBatch batch, long arrivalUnixMilliseconds, CancellationToken cancellationToken = default)
    {
        if (_maxBytes > 0 && _log.SizeBytes >= _maxBytes)
        {
            ThrowHelper.ThrowUnavailable($"export queue is full ({_maxBytes >> 20} MiB waiting for the backend)");
        }

        await SpanRecord.AppendAsync(_log, BatchKind, batch, arrivalUnixMilliseconds, new Waiting(default, arrivalUnixMilliseconds, batch.SpanCount), cancellationToken);
    }

    /// <summary>
    /// Waits until a batch is queued, then up to <paramref name="linger"/> more while fewer than
    /// <paramref name="targetSpans"/> spans wait, and reads back the oldest batches, in order, until they
    /// hold <paramref name="targetSpans"/> spans (always at least one batch). They stay queued until
    /// <see cref="Delivered"/>. A batch damaged on disk comes back with a null <see cref="QueuedBatch.Batch"/>.
    /// </summary>
    public async Task<List<QueuedBatch>> TakeAsync(int targetSpans, TimeSpan linger, TimeProvider time, CancellationToken cancellationToken)
    {
        while (Count == 0)
        {
            await _queued.WaitAsync(cancellationToken);
        }

        var started = time.GetTimestamp();
        while (SpanCount < targetSpans && time.GetElapsedTime(started) < linger)
        {
            await _queued.WaitAsync(linger - time.GetElapsedTime(started), cancellationToken);
        }

        var items = new List<Waiting>();
        lock (_lock)
        {
            long spans = 0;
            foreach (var item in _waiting)
            {
                if (items.Count > 0 && spans >= targetSpans)
                {
                    break;
                }

                items.Add(item);
                spans += item.Spans;
            }
        }

        var batches = new List<QueuedBatch>(items.Count);
        foreach (var item in items)
        {
            batches.Add(new QueuedBatch(item.Location.Sequence, item.Arrival, TryRead(item, out var batch) ? batch : null));
        }

        return batches;
    }

    /// <summary>Marks every batch up to <paramref name="sequence"/> delivered (or given up on): they leave the queue and the checkpoint moves past them.</summary>
    public void Delivered(long sequence)
    {
        lock (_lock)
        {
            while (_waiting.TryPeek(out var oldest) && oldest.Location.Sequence <= sequence)
            {
                _waiting.Dequeue();
                _waitingSpans -= oldest.Spans;
            }

            if (sequence <= _checkpoint)
            {
                return;
            }

            _checkpoint = sequence;
        }

        SaveCheckpoint(sequence);
        DeleteDelivered(sequence);
    }

    private bool TryRead(Waiting item, out SpanBatch batch)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            using var file = _device.OpenOrCreate(_log.SegmentPath(item.Location.SegmentFirstSequence));
            if (SegmentScanner.TryReadAt(file, item.Location.Offset, item.Location.Sequence, ref buffer, out var kind, out var length)
                && kind == BatchKind
                && SpanRecord.TryDecode(buffer.AsSpan(0, length), out _, out batch))
            {
                return true;
            }
        }
        catch (IOException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        batch = null!;
        return false;
    }

    private void SaveCheckpoint(long sequence)
    {
        // Written aside and renamed over the old one: a crash leaves either. Not fsynced: an older
        // checkpoint only means some batches are delivered twice, which receivers of spans tolerate.
        var path = Path.Combine(_directory, CheckpointFile);
        var temporary = path + ".tmp";
        using (var file = _device.OpenOrCreate(temporary))
        {
            var text = System.Text.Encoding.ASCII.GetBytes(sequence.ToString(CultureInfo.InvariantCulture));
            file.SetLength(0);
            file.Write(0, text);
        }

        _device.Move(temporary, path);
    }

    private void DeleteDelivered(long checkpoint)
    {
        var segments = _device.ListFiles(_directory, IngestLog.SegmentPattern);
        var deletable = new List<string>();
        for (var i = 0; i + 1 < segments.Count; i++)
        {
            // Every record of segment i comes before the next segment's first.
            if (IngestLog.FirstSequenceOfSegment(segments[i + 1]) <= checkpoint + 1)
            {
                deletable.Add(segments[i]);
            }
        }

        if (deletable.Count > 0)
        {
            _log.DeleteSegmentFiles(deletable);
        }
    }

    private void OnDurable(LogRecordLocation location, Waiting item)
    {
        lock (_lock)
        {
            _waiting.Enqueue(item with { Location = location });
            _waitingSpans += item.Spans;
        }

        if (_queued.CurrentCount < 1024)
        {
            _queued.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _log.DisposeAsync();
        _queued.Dispose();
    }

    private readonly record struct Waiting(LogRecordLocation Location, long Arrival, int Spans);
}

/// <summary>A batch read back from an <see cref="ExportQueue"/>.</summary>
internal sealed record QueuedBatch(long Sequence, long ArrivalUnixMilliseconds, SpanBatch? Batch);
