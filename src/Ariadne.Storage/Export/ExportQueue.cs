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
    private readonly SemaphoreSlim _available = new(0);
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
    public long SpanCount => Interlocked.Read(ref _waitingSpans);

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
                if (waiting.Count > 0)
                {
                    queue._available.Release(waiting.Count);
                }

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

    /// <summary>Waits for the oldest undelivered batch and reads it back; it stays first until <see cref="Delivered"/>.</summary>
    public async Task<QueuedBatch> PeekAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _available.WaitAsync(cancellationToken);
            Waiting oldest;
            lock (_lock)
            {
                if (!_waiting.TryPeek(out oldest))
                {
                    continue;
                }
            }

            // The permit stays with the batch until it is delivered.
            _available.Release();
            if (TryRead(oldest, out var batch))
            {
                return new QueuedBatch(oldest.Location.Sequence, oldest.Arrival, batch);
            }

            // Damaged on disk after it was written: nothing can deliver it; move on.
            Delivered(oldest.Location.Sequence);
        }
    }

    /// <summary>Marks the batch delivered (or given up on): it leaves the queue and the checkpoint moves past it.</summary>
    public void Delivered(long sequence)
    {
        lock (_lock)
        {
            if (!_waiting.TryPeek(out var oldest) || oldest.Location.Sequence != sequence)
            {
                return;
            }

            _waiting.Dequeue();
            _waitingSpans -= oldest.Spans;
            _checkpoint = sequence;
        }

        _available.Wait(0);
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

        _available.Release();
    }

    public async ValueTask DisposeAsync()
    {
        await _log.DisposeAsync();
        _available.Dispose();
    }

    private readonly record struct Waiting(LogRecordLocation Location, long Arrival, int Spans);
}

/// <summary>A batch read back from an <see cref="ExportQueue"/>.</summary>
internal sealed record QueuedBatch(long Sequence, long ArrivalUnixMilliseconds, SpanBatch Batch);
