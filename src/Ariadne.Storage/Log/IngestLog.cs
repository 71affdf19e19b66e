using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Ariadne.Storage.IO;

namespace Ariadne.Storage.Log;

/// <summary>
/// The append-only ingest log. Any number of callers append concurrently; one writer takes everything
/// queued, writes it and fsyncs once (group commit), and only then completes the callers' tasks, so an
/// acknowledged record is always on disk. After a failed write or fsync the log cuts the segment back
/// to its last durable byte before it writes anything else, so a half-written record is never
/// followed by good ones.
/// </summary>
internal sealed class IngestLog : IAsyncDisposable
{
    public const string SegmentPattern = "*.wal";

    private const string SegmentExtension = ".wal";
    private const string SequenceFormat = "D20";
    private const int InitialReplayBufferBytes = 64 * 1024;

    private readonly IngestLogOptions _options;
    private readonly IStorageDevice _device;
    private readonly Channel<PendingAppend> _queue;
    private readonly Task _writer;
    private readonly Action<LogRecordLocation, object?>? _onDurable;
    private IStorageFile? _segment;
    private long _segmentFirstSequence;
    private long _segmentLength;
    private bool _tailUnknown;
    private bool _directoryUnsynced;
    private long _nextSequence;
    private long _logBytes;
    private long _fsyncCount;
    private long _writtenBytes;
    private long _lastFsyncTicks;
    private long _failedGroups;

    private IngestLog(IngestLogOptions options, long nextSequence, IStorageFile? lastSegment, long logBytes, Action<LogRecordLocation, object?>? onDurable)
    {
        _options = options;
        _onDurable = onDurable;
        _device = options.Device;
        _nextSequence = nextSequence;
        _segment = lastSegment;
        _segmentLength = lastSegment?.Length ?? 0;
        _logBytes = logBytes;
        _queue = Channel.CreateBounded<PendingAppend>(new BoundedChannelOptions(options.MaxQueuedAppends)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _writer = Task.Run(WriteLoopAsync);
    }

    public long FsyncCount => Interlocked.Read(ref _fsyncCount);

    public TimeSpan LastFsyncDuration => TimeSpan.FromTicks(Interlocked.Read(ref _lastFsyncTicks));

    /// <summary>How long each group commit's fsync took.</summary>
    public LatencyHistogram FsyncLatency { get; } = new();

    /// <summary>Bytes written to the log since it was opened (records of failed groups excluded).</summary>
    public long WrittenBytes => Interlocked.Read(ref _writtenBytes);

    public long FailedGroups => Interlocked.Read(ref _failedGroups);

    /// <summary>Bytes in all segments not yet deleted.</summary>
    public long SizeBytes => Interlocked.Read(ref _logBytes);

    /// <summary>
    /// Opens the log, handing every valid record to <paramref name="replay"/> in order (see
    /// <see cref="SegmentScanner"/> for what happens to damaged records). Torn tails are cut off here.
    /// </summary>
    /// <param name="options">Where and how to keep the log.</param>
    /// <param name="replay">
    /// Receives every valid record on open, in order. The payload memory is reused once the call returns.
    /// </param>
    /// <param name="result">What replay found.</param>
    /// <param name="onDurable">
    /// Called on the writer, for each appended record's location and state, after its fsync and before its
    /// caller is answered: what it does is therefore ordered with <see cref="RollAsync"/>.
    /// </param>
    /// <param name="located">Gets the location of every valid record replayed, before <paramref name="replay"/> does.</param>
    public static IngestLog Open(
        IngestLogOptions options,
        Action<long, ushort, ReadOnlyMemory<byte>> replay,
        out LogReplayResult result,
        Action<LogRecordLocation, object?>? onDurable = null,
        Action<LogRecordLocation>? located = null)
    {
        if (options.MaxRecordBytes is <= LogRecordHeader.Size or > LogRecordHeader.MaxPayloadLength)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(options), $"MaxRecordBytes must be between {LogRecordHeader.Size + 1} and {LogRecordHeader.MaxPayloadLength}");
        }

        var device = options.Device;
        device.CreateDirectory(options.Directory);
        var segments = device.ListFiles(options.Directory, SegmentPattern);
        long records = 0, torn = 0, truncatedBytes = 0, corrupt = 0, skipped = 0, logBytes = 0;
        long lastSequence = -1;
        long nextSequence = 0;
        IStorageFile? last = null;
        var payloadBuffer = ArrayPool<byte>.Shared.Rent(InitialReplayBufferBytes);
        try
        {
            for (var i = 0; i < segments.Count; i++)
            {
                var file = device.OpenOrCreate(segments[i]);
                try
                {
                    var segmentSequence = FirstSequenceOf(segments[i]);
                    var scan = SegmentScanner.Scan(
                        file,
                        lastSequence,
                        replay,
                        ref payloadBuffer,
                        located is null ? null : (sequence, offset) => located(new LogRecordLocation(sequence, segmentSequence, offset)));
                    records += scan.Records;
                    lastSequence = scan.LastSequence;
                    corrupt += scan.CorruptRegions;
                    skipped += scan.CorruptBytesSkipped;
                    var length = file.Length;
                    if (scan.GoodLength < length)
                    {
                        torn++;
                        truncatedBytes += length - scan.GoodLength;
                        file.SetLength(scan.GoodLength);
                        file.Flush();
                    }

                    logBytes += scan.GoodLength;
                    if (i == segments.Count - 1)
                    {
                        // An empty last segment keeps its name; its first record must not sort before it.
                        nextSequence = Math.Max(lastSequence + 1, FirstSequenceOf(segments[i]));
                        last = file;
                        file = null;
                    }
                }
                finally
                {
                    file?.Dispose();
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payloadBuffer);
        }

        result = new LogReplayResult(records, torn, truncatedBytes, nextSequence, corrupt, skipped);
        var log = new IngestLog(options, nextSequence, last, logBytes, onDurable);
        if (last is not null)
        {
            log._segmentFirstSequence = FirstSequenceOf(last.Path);
        }

        return log;
    }

    private static long FirstSequenceOf(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path.AsSpan());
        var digits = name.IndexOf('-') is var dash and >= 0 ? name[..dash] : name;
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : 0;
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
        if (payloadLength < 0 || payloadLength > _options.MaxRecordBytes - LogRecordHeader.Size)
        {
            ThrowHelper.ThrowUnavailable($"record of {payloadLength} bytes is larger than the log accepts ({_options.MaxRecordBytes} bytes with its header)");
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
                ThrowHelper.ThrowUnavailable("the ingest log is closed", e.InnerException ?? e);
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
    /// Returns the closed segments, which the caller may pass to <see cref="DeleteSegments"/> once their
    /// content is stored elsewhere.
    /// </summary>
    public async ValueTask<ClosedSegments> RollAsync(Action atRoll, CancellationToken cancellationToken = default)
    {
        var control = new PendingAppend([], 0) { Roll = atRoll };
        try
        {
            await _queue.Writer.WriteAsync(control, cancellationToken);
        }
        catch (ChannelClosedException e)
        {
            ThrowHelper.ThrowUnavailable("the ingest log is closed", e.InnerException ?? e);
        }

        await control.Completion.Task.ConfigureAwait(false);
        return control.Closed;
    }

    /// <summary>Deletes segments returned by <see cref="RollAsync"/> and makes the deletion durable.</summary>
    public void DeleteSegments(ClosedSegments closed)
    {
        foreach (var segment in closed.Paths)
        {
            _device.DeleteFile(segment);
        }

        Interlocked.Add(ref _logBytes, -closed.Bytes);
        _device.SyncDirectory(_options.Directory);
    }

    /// <summary>
    /// Deletes some closed segments (paths from <see cref="ClosedSegments.Paths"/>; never the segment
    /// being written) and makes the deletion durable.
    /// </summary>
    public void DeleteSegmentFiles(IReadOnlyList<string> paths)
    {
        long bytes = 0;
        foreach (var path in paths)
        {
            using (var file = _device.OpenOrCreate(path))
            {
                bytes += file.Length;
            }

            _device.DeleteFile(path);
        }

        Interlocked.Add(ref _logBytes, -bytes);
        _device.SyncDirectory(_options.Directory);
    }

    /// <summary>The sequence of the first record in a segment, from its file name.</summary>
    public static long FirstSequenceOfSegment(string path) => FirstSequenceOf(path);

    private async Task WriteLoopAsync()
    {
        var group = new List<PendingAppend>();
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                var bytes = TakeQueued(reader, group, 0, out var roll);
                if (group.Count > 0 && roll is null && bytes < _options.MaxGroupBytes && _options.MaxGroupCommitDelay > TimeSpan.Zero)
                {
                    // One bounded wait per group: more appends share the fsync, and none waits longer than this.
                    await Task.Delay(_options.MaxGroupCommitDelay).ConfigureAwait(false);
                    bytes = TakeQueued(reader, group, bytes, out _);
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
        }
        catch (Exception e)
        {
            // A bug here must not leave callers waiting forever: refuse what is queued and all that follows.
            var failure = new StorageUnavailableException($"ingest log writer stopped: {e.Message}", e);
            _queue.Writer.TryComplete(failure);
            foreach (var item in group)
            {
                item.Completion.TrySetException(failure);
            }

            while (reader.TryRead(out var item))
            {
                item.Completion.TrySetException(failure);
            }
        }
        finally
        {
            _segment?.Dispose();
            _segment = null;
        }
    }

    /// <summary>Moves queued appends into the group, stopping at a roll (taken only when the group is empty).</summary>
    private long TakeQueued(ChannelReader<PendingAppend> reader, List<PendingAppend> group, long bytes, out PendingAppend? roll)
    {
        roll = null;
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

        return bytes;
    }

    private void WriteGroup(List<PendingAppend> group, long bytes)
    {
        var firstSequence = _nextSequence;
        long written;
        try
        {
            RepairTail();
            if (_segment is null || (_segmentLength > 0 && _segmentLength + bytes > _options.SegmentSizeBytes))
            {
                firstSequence = StartSegment(firstSequence);
            }

            var position = _segmentLength;
            var sequence = firstSequence;
            _tailUnknown = true;
            foreach (var item in group)
            {
                item.Offset = position;
                LogRecordHeader.Seal(item.Buffer, sequence++);
                _segment!.Write(position, item.Buffer.AsSpan(0, item.Length));
                position += item.Length;
            }

            if (_directoryUnsynced)
            {
                _device.SyncDirectory(_options.Directory);
                _directoryUnsynced = false;
            }

            var timer = Stopwatch.StartNew();
            _segment!.Flush();
            Interlocked.Exchange(ref _lastFsyncTicks, timer.Elapsed.Ticks);
            FsyncLatency.Record(timer.Elapsed);
            Interlocked.Increment(ref _fsyncCount);
            _tailUnknown = false;
            written = position - _segmentLength;
            _segmentLength = position;
            _nextSequence = sequence;
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failedGroups);
            TryRepairTail();
            var failure = new StorageUnavailableException($"ingest log write failed: {e.Message}", e);
            foreach (var item in group)
            {
                item.Completion.TrySetException(failure);
            }

            return;
        }

        Interlocked.Add(ref _logBytes, written);
        Interlocked.Add(ref _writtenBytes, written);
        var recordSequence = firstSequence;
        foreach (var item in group)
        {
            try
            {
                _onDurable?.Invoke(new LogRecordLocation(recordSequence, _segmentFirstSequence, item.Offset), item.State);
                item.Completion.TrySetResult(recordSequence++);
            }
            catch (Exception e)
            {
                // Durable but not taken by the consumer; the caller hears of it, a retry is deduplicated.
                item.Completion.TrySetException(e);
            }
        }
    }

    private void Roll(PendingAppend control)
    {
        try
        {
            // A closed segment must end with a whole record: repair first, or refuse the roll.
            RepairTail();
            var closed = _device.ListFiles(_options.Directory, SegmentPattern);
            var bytes = Interlocked.Read(ref _logBytes);
            _segment?.Dispose();
            _segment = null;
            _segmentLength = 0;
            control.Roll!();
            control.Closed = new ClosedSegments(closed, bytes);
            control.Completion.TrySetResult(_nextSequence);
        }
        catch (Exception e)
        {
            control.Completion.TrySetException(new StorageUnavailableException($"ingest log roll failed: {e.Message}", e));
        }
    }

    /// <summary>
    /// Cuts the segment back to its last durable byte when a failed group may have left bytes after it.
    /// Throws while the device still fails; until it succeeds nothing else is written, so no good record
    /// ever follows a partial one. A fault that clears therefore leaves no trace in the log.
    /// </summary>
    private void RepairTail()
    {
        if (!_tailUnknown || _segment is null)
        {
            _tailUnknown = false;
            return;
        }

        _segment.SetLength(_segmentLength);
        _segment.Flush();
        _tailUnknown = false;
    }

    private void TryRepairTail()
    {
        try
        {
            RepairTail();
        }
        catch (Exception)
        {
            // Whatever the device threw, the next group (or roll) tries again before it writes anything,
            // and fails its callers while this keeps failing.
        }
    }

    /// <summary>Starts a segment named by the sequence of its first record; returns that sequence.</summary>
    private long StartSegment(long firstSequence)
    {
        _segment?.Dispose();
        _segment = null;
        _segmentLength = 0;

        // Names are unique by construction (a name is the next sequence, and the previous segment ended
        // cleanly); should one exist anyway, never write into it: skip ahead, keeping name order = log order.
        var existing = _device.ListFiles(_options.Directory, SegmentPattern).Count;
        var path = SegmentPath(firstSequence);
        for (var attempt = 0; attempt <= existing && _device.FileExists(path); attempt++)
        {
            firstSequence++;
            path = SegmentPath(firstSequence);
        }

        _segment = _device.OpenOrCreate(path);
        _segmentFirstSequence = firstSequence;
        _directoryUnsynced = true;
        return firstSequence;
    }

    /// <summary>The file of the segment whose first record has <paramref name="firstSequence"/>.</summary>
    public string SegmentPath(long firstSequence) =>
        Path.Combine(_options.Directory, firstSequence.ToString(SequenceFormat, CultureInfo.InvariantCulture) + SegmentExtension);

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

        public ClosedSegments Closed { get; set; } = ClosedSegments.None;

        /// <summary>Where the record was written in its segment.</summary>
        public long Offset { get; set; }
    }
}
