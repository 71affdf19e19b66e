using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Ariadne.Storage.IO;

namespace Ariadne.Storage.Log;

/// <summary>
/// The append-only ingest log. Any number of callers append concurrently; one writer takes everything
/// queued, writes it and fsyncs once (group commit), and only then completes the callers' tasks, so an
/// acknowledged record is always on disk. After a failed write or fsync the log cuts back to its last
/// durable byte (or, if even that fails, abandons the segment for a new one), so a half-written record
/// is never followed by good ones.
/// </summary>
internal sealed class IngestLog : IAsyncDisposable
{
    public const string SegmentPattern = "*.wal";

    private readonly IngestLogOptions _options;
    private readonly IStorageDevice _device;
    private readonly Channel<PendingAppend> _queue;
    private readonly Task _writer;
    private readonly Action<object?>? _onDurable;
    private IStorageFile? _segment;
    private long _segmentLength;
    private long _nextSequence;
    private long _fsyncCount;
    private long _lastFsyncTicks;
    private long _failedGroups;

    private IngestLog(IngestLogOptions options, long nextSequence, IStorageFile? lastSegment, Action<object?>? onDurable)
    {
        _options = options;
        _onDurable = onDurable;
        _device = options.Device;
        _nextSequence = nextSequence;
        _segment = lastSegment;
        _segmentLength = lastSegment?.Length ?? 0;
        _queue = Channel.CreateBounded<PendingAppend>(new BoundedChannelOptions(options.MaxQueuedAppends)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writer = Task.Run(WriteLoopAsync);
    }

    public long FsyncCount => Interlocked.Read(ref _fsyncCount);

    public TimeSpan LastFsyncDuration => TimeSpan.FromTicks(Interlocked.Read(ref _lastFsyncTicks));

    public long FailedGroups => Interlocked.Read(ref _failedGroups);

    public long SizeBytes
    {
        get
        {
            long total = 0;
            foreach (var file in _device.ListFiles(_options.Directory, SegmentPattern))
            {
                total += new FileInfo(file).Length;
            }

            return total;
        }
    }

    /// <summary>
    /// Opens the log, handing every valid record to <paramref name="replay"/> in order. A record that
    /// fails its checks ends its segment: the rest of that segment is cut off and counted, never a crash.
    /// </summary>
    /// <param name="options">Where and how to keep the log.</param>
    /// <param name="replay">Receives every valid record on open, in order.</param>
    /// <param name="result">What replay found.</param>
    /// <param name="onDurable">
    /// Called on the writer, for each appended record's state, after its fsync and before its caller is
    /// answered: what it does is therefore ordered with <see cref="RollAsync"/>.
    /// </param>
    public static IngestLog Open(
        IngestLogOptions options,
        Action<long, ushort, ReadOnlyMemory<byte>> replay,
        out LogReplayResult result,
        Action<object?>? onDurable = null)
    {
        var device = options.Device;
        device.CreateDirectory(options.Directory);
        var segments = device.ListFiles(options.Directory, SegmentPattern);
        long records = 0, torn = 0, truncatedBytes = 0, nextSequence = 0;
        IStorageFile? last = null;
        for (var i = 0; i < segments.Count; i++)
        {
            var file = device.OpenOrCreate(segments[i]);
            var (count, goodLength, lastSequence) = ReplaySegment(file, replay);
            records += count;
            if (lastSequence >= nextSequence)
            {
                nextSequence = lastSequence + 1;
            }

            if (goodLength < file.Length)
            {
                torn++;
                truncatedBytes += file.Length - goodLength;
                file.SetLength(goodLength);
                file.Flush();
            }

            if (i == segments.Count - 1)
            {
                last = file;
            }
            else
            {
                file.Dispose();
            }
        }

        result = new LogReplayResult(records, torn, truncatedBytes, nextSequence);
        return new IngestLog(options, nextSequence, last, onDurable);
    }

    private static (long Count, long GoodLength, long LastSequence) ReplaySegment(IStorageFile file, Action<long, ushort, ReadOnlyMemory<byte>> replay)
    {
        var length = file.Length;
        long position = 0, count = 0, lastSequence = -1;
        Span<byte> header = stackalloc byte[LogRecordHeader.Size];
        while (length - position >= LogRecordHeader.Size)
        {
            if (file.Read(position, header) != LogRecordHeader.Size
                || !LogRecordHeader.TryRead(header, out var kind, out var payloadLength, out var sequence, out var payloadCrc)
                || payloadLength > length - position - LogRecordHeader.Size)
            {
                break;
            }

            var payload = new byte[payloadLength];
            if (file.Read(position + LogRecordHeader.Size, payload) != payloadLength || Crc32C.Compute(payload) != payloadCrc)
            {
                break;
            }

            replay(sequence, kind, payload);
            count++;
            lastSequence = sequence;
            position += LogRecordHeader.Size + payloadLength;
        }

        return (count, position, lastSequence);
    }

    /// <summary>
    /// Appends a record whose payload <paramref name="writePayload"/> produces, and completes once the
    /// record is durable. Throws <see cref="StorageUnavailableException"/> when it could not be made durable.
    /// </summary>
    public ValueTask<long> AppendAsync(ushort kind, int payloadLength, SpanAction<byte, int> writePayload, CancellationToken cancellationToken) =>
        AppendAsync(kind, payloadLength, writePayload, state: null, cancellationToken);

    /// <summary>As <see cref="AppendAsync(ushort, int, SpanAction{byte, int}, CancellationToken)"/>, handing <paramref name="state"/> to the durability callback.</summary>
    public async ValueTask<long> AppendAsync(ushort kind, int payloadLength, SpanAction<byte, int> writePayload, object? state, CancellationToken cancellationToken)
    {
        if (payloadLength > LogRecordHeader.MaxPayloadLength)
        {
            throw new StorageUnavailableException($"record of {payloadLength} bytes is larger than the log accepts");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(LogRecordHeader.Size + payloadLength);
        var pending = new PendingAppend(buffer, LogRecordHeader.Size + payloadLength) { State = state };
        try
        {
            var payload = buffer.AsSpan(LogRecordHeader.Size, payloadLength);
            writePayload(payload, payloadLength);
            LogRecordHeader.Write(buffer, kind, payloadLength, Crc32C.Compute(payload));
            try
            {
                await _queue.Writer.WriteAsync(pending, cancellationToken);
            }
            catch (ChannelClosedException e)
            {
                throw new StorageUnavailableException("the ingest log is closed", e);
            }

            // Once queued, the append completes or fails with its group; cancelling would not un-write it.
            return await pending.Completion.Task.ConfigureAwait(false);
        }
        finally
        {
            // Either the record never entered the queue, or its group has completed: the writer is done with it.
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Closes the current segment: every record appended before this call is in a closed segment and
    /// every later one in a new segment. <paramref name="atRoll"/> runs on the writer at that instant.
    /// Returns the closed segments, which the caller may delete once their content is stored elsewhere.
    /// </summary>
    public async ValueTask<IReadOnlyList<string>> RollAsync(Action atRoll, CancellationToken cancellationToken = default)
    {
        var control = new PendingAppend([], 0) { Roll = atRoll };
        try
        {
            await _queue.Writer.WriteAsync(control, cancellationToken);
        }
        catch (ChannelClosedException e)
        {
            throw new StorageUnavailableException("the ingest log is closed", e);
        }

        await control.Completion.Task.ConfigureAwait(false);
        return control.ClosedSegments;
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<PendingAppend>();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var bytes = 0L;
            PendingAppend? roll = null;
            while (bytes < _options.MaxGroupBytes && reader.TryPeek(out var next))
            {
                if (next.Roll is not null)
                {
                    // A roll ends the group: records queued before it go to the old segment.
                    if (group.Count == 0)
                    {
                        reader.TryRead(out roll);
                    }

                    break;
                }

                if (reader.TryRead(out var item))
                {
                    group.Add(item);
                    bytes += item.Length;
                }
            }

            if (group.Count > 0)
            {
                WriteGroup(group, bytes);
                group.Clear();
            }

            if (roll is not null)
            {
                Roll(roll);
            }
        }

        _segment?.Dispose();
        _segment = null;
    }

    private void WriteGroup(List<PendingAppend> group, long bytes)
    {
        var start = _segmentLength;
        var firstSequence = _nextSequence;
        try
        {
            if (_segment is null || (_segmentLength > 0 && _segmentLength + bytes > _options.SegmentSizeBytes))
            {
                StartSegment(firstSequence);
                start = 0;
            }

            var position = start;
            var sequence = firstSequence;
            foreach (var item in group)
            {
                LogRecordHeader.Seal(item.Buffer, sequence++);
                _segment!.Write(position, item.Buffer.AsSpan(0, item.Length));
                position += item.Length;
            }

            var timer = Stopwatch.StartNew();
            _segment!.Flush();
            Interlocked.Exchange(ref _lastFsyncTicks, timer.Elapsed.Ticks);
            Interlocked.Increment(ref _fsyncCount);
            _segmentLength = position;
            _nextSequence = sequence;
            sequence = firstSequence;
            foreach (var item in group)
            {
                _onDurable?.Invoke(item.State);
                item.Completion.TrySetResult(sequence++);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Interlocked.Increment(ref _failedGroups);
            CutBack(start);
            var failure = new StorageUnavailableException($"ingest log write failed: {e.Message}", e);
            foreach (var item in group)
            {
                item.Completion.TrySetException(failure);
            }
        }
    }

    private void Roll(PendingAppend control)
    {
        try
        {
            var closed = _device.ListFiles(_options.Directory, SegmentPattern);
            _segment?.Dispose();
            _segment = null;
            _segmentLength = 0;
            control.Roll!();
            control.ClosedSegments = closed;
            control.Completion.TrySetResult(_nextSequence);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            control.Completion.TrySetException(new StorageUnavailableException($"ingest log roll failed: {e.Message}", e));
        }
    }

    /// <summary>Removes whatever part of a failed group reached the file, or abandons the segment.</summary>
    private void CutBack(long durableLength)
    {
        if (_segment is null)
        {
            return;
        }

        try
        {
            _segment.SetLength(durableLength);
            _segment.Flush();
            _segmentLength = durableLength;
        }
        catch (IOException)
        {
            // The tail is in an unknown state: stop writing to this file. Replay stops at its torn tail.
            _segment.Dispose();
            _segment = null;
        }
    }

    private void StartSegment(long firstSequence)
    {
        _segment?.Dispose();
        _segment = null;
        var path = Path.Combine(_options.Directory, firstSequence.ToString("D20", CultureInfo.InvariantCulture) + ".wal");
        if (_device.FileExists(path))
        {
            // A segment abandoned after a failure may have this name already; never write after its torn tail.
            path = Path.Combine(_options.Directory, firstSequence.ToString("D20", CultureInfo.InvariantCulture) + "-" + DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture) + ".wal");
        }

        var file = _device.OpenOrCreate(path);
        _device.SyncDirectory(_options.Directory);
        _segment = file;
        _segmentLength = 0;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private sealed class PendingAppend
    {
        public PendingAppend(byte[] buffer, int length)
        {
            Buffer = buffer;
            Length = length;
        }

        public byte[] Buffer { get; }

        public int Length { get; }

        public TaskCompletionSource<long> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public object? State { get; init; }

        /// <summary>Set on the control item that closes the current segment.</summary>
        public Action? Roll { get; init; }

        public IReadOnlyList<string> ClosedSegments { get; set; } = [];
    }
}
