using System.Buffers.Binary;
using Ariadne.Model;
using Ariadne.Storage.IO;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Tail;

/// <summary>
/// Where a tail sampler keeps the spans of traces it has not decided yet: on disk, in an ingest log of
/// its own, so a crash loses nothing acknowledged. Memory holds one small entry per undecided trace
/// (when its first span arrived, how many spans, and the range of log records that hold them), never
/// the spans. When traces are due, their records are read back once, the spans of every due trace
/// gathered, and the caller decides; the decisions are logged too, and a segment is deleted once no
/// undecided trace has a span in it. Opening the buffer after a crash rebuilds the undecided traces
/// with their original arrival times, so they are decided as if nothing had happened.
/// </summary>
internal sealed class TraceBuffer : IAsyncDisposable
{
    public const ushort SpansKind = 1;
    public const ushort DecisionsKind = 2;

    /// <summary>
    /// Bytes of one logged decision: the trace id, one byte (1 = sampled, 0 = not), and the last log
    /// sequence the decision covered (spans logged after it, while the trace was being decided, still
    /// wait for their round).
    /// </summary>
    private const int DecisionBytes = 25;

    private readonly IngestLog _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<TraceId, Entry> _undecided = new();
    private readonly Dictionary<TraceId, Entry> _deciding = new();
    private readonly List<(TraceId TraceId, bool Sampled)> _replayedDecisions;
    private readonly string _directory;
    private readonly IStorageDevice _device;
    private long _bufferedSpans;
    private long _lastIndexedSequence = -1;

    private TraceBuffer(IngestLog log, string directory, IStorageDevice device, List<(TraceId, bool)> replayedDecisions)
    {
        _log = log;
        _directory = directory;
        _device = device;
        _replayedDecisions = replayedDecisions;
    }

    /// <summary>Undecided traces, those being decided included.</summary>
    public int TraceCount
    {
        get
        {
            lock (_lock)
            {
                return _undecided.Count + _deciding.Count;
            }
        }
    }

    /// <summary>Spans of undecided traces (as appended: a span sent twice counts twice).</summary>
    public long SpanCount => Interlocked.Read(ref _bufferedSpans);

    /// <summary>Bytes of log on disk.</summary>
    public long SizeBytes => _log.SizeBytes;

    /// <summary>Decisions found in the log when it was opened, in log order; for the caller's decision cache.</summary>
    public IReadOnlyList<(TraceId TraceId, bool Sampled)> ReplayedDecisions => _replayedDecisions;

    /// <summary>Opens (or creates) the buffer in <paramref name="directory"/>, rebuilding undecided traces from the log.</summary>
    public static Task<TraceBuffer> OpenAsync(string directory, IStorageDevice? device = null, TimeSpan maxGroupCommitDelay = default, CancellationToken cancellationToken = default)
    {
        device ??= FileSystemDevice.Instance;
        return Task.Run(
            () =>
            {
                var decided = new Dictionary<TraceId, bool>();
                var decisions = new List<(TraceId, bool)>();
                TraceBuffer? buffer = null;
                var undecided = new Dictionary<TraceId, Entry>();
                long spans = 0, last = -1;
                var log = IngestLog.Open(
                    new IngestLogOptions
                    {
                        Directory = directory,
                        Device = device,
                        SegmentSizeBytes = 16L << 20,
                        MaxGroupCommitDelay = maxGroupCommitDelay,
                    },
                    (sequence, kind, payload) =>
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        last = sequence;
                        if (kind == SpansKind && payload.Length >= sizeof(long)
                            && SpanBatchCodec.TryDecode(payload.Span[sizeof(long)..], out var batch, out _))
                        {
                            var arrival = BinaryPrimitives.ReadInt64LittleEndian(payload.Span);
                            spans += Index(undecided, batch!, sequence, arrival, decided);
                        }
                        else if (kind == DecisionsKind)
                        {
                            ReadDecisions(payload.Span, undecided, decided, decisions, ref spans);
                        }
                    },
                    out _,
                    (sequence, state) =>
                    {
                        if (state is AppendedSpans appended)
                        {
                            buffer!.OnDurable(sequence, appended);
                        }
                    });
                buffer = new TraceBuffer(log, directory, device, decisions);
                foreach (var (id, entry) in undecided)
                {
                    buffer._undecided.Add(id, entry);
                }

                buffer._bufferedSpans = spans;
                buffer._lastIndexedSequence = last;
                return buffer;
            },
            cancellationToken);
    }

    /// <summary>Makes the spans durable; once this returns they are buffered until their trace is decided.</summary>
    public async ValueTask AppendAsync(SpanBatch batch, long arrivalUnixMilliseconds, CancellationToken cancellationToken = default)
    {
        await _log.AppendAsync(
            SpansKind,
            sizeof(long) + SpanBatchCodec.GetEncodedLength(batch),
            (destination, _) =>
            {
                BinaryPrimitives.WriteInt64LittleEndian(destination, arrivalUnixMilliseconds);
                SpanBatchCodec.Encode(batch, destination[sizeof(long)..]);
            },
            new AppendedSpans(arrivalUnixMilliseconds, batch),
            cancellationToken);
    }

    /// <summary>
    /// Takes the traces whose first span arrived at or before <paramref name="cutoffUnixMilliseconds"/>
    /// (and those whose spans came while they were being decided), reads their spans back from the log
    /// and returns each trace whole. When more than <paramref name="maxUndecided"/> traces would stay
    /// undecided, the oldest of them are taken too (marked <see cref="BufferedTrace.DecidedEarly"/>).
    /// Until <see cref="CompleteAsync"/> or <see cref="Return"/> they count as being decided.
    /// </summary>
    public async Task<List<BufferedTrace>> TakeDueAsync(long cutoffUnixMilliseconds, int maxUndecided = int.MaxValue, CancellationToken cancellationToken = default)
    {
        // Everything appended so far goes to closed segments, which can be read while the log goes on.
        long boundary = 0;
        var closed = await _log.RollAsync(() => boundary = _lastIndexedSequence + 1, cancellationToken);
        var due = new Dictionary<TraceId, BufferedTrace>();
        long minSequence = long.MaxValue, maxSequence = -1;
        lock (_lock)
        {
            foreach (var (id, entry) in _undecided)
            {
                if (entry.FirstArrival <= cutoffUnixMilliseconds || entry.FollowsDecision)
                {
                    due.Add(id, new BufferedTrace(id, entry.FirstArrival, entry.FollowsDecision));
                    minSequence = Math.Min(minSequence, entry.MinSequence);
                    maxSequence = Math.Max(maxSequence, entry.MaxSequence);
                }
            }

            var over = _undecided.Count - due.Count - maxUndecided;
            if (over > 0)
            {
                var oldest = new List<(long Arrival, TraceId Id)>(_undecided.Count - due.Count);
                foreach (var (id, entry) in _undecided)
                {
                    if (!due.ContainsKey(id))
                    {
                        oldest.Add((entry.FirstArrival, id));
                    }
                }

                oldest.Sort((a, b) => a.Arrival.CompareTo(b.Arrival));
                for (var i = 0; i < over; i++)
                {
                    var entry = _undecided[oldest[i].Id];
                    due.Add(oldest[i].Id, new BufferedTrace(oldest[i].Id, entry.FirstArrival, entry.FollowsDecision) { DecidedEarly = true });
                    minSequence = Math.Min(minSequence, entry.MinSequence);
                    maxSequence = Math.Max(maxSequence, entry.MaxSequence);
                }
            }

            foreach (var id in due.Keys)
            {
                _deciding[id] = _undecided[id];
                _undecided.Remove(id);
            }
        }

        if (due.Count == 0)
        {
            return [];
        }

        ReadBack(closed.Paths, boundary, minSequence, maxSequence, due, cancellationToken);
        var result = new List<BufferedTrace>(due.Count);
        foreach (var trace in due.Values)
        {
            result.Add(trace);
        }

        return result;
    }

    /// <summary>
    /// Logs the decisions for traces taken by <see cref="TakeDueAsync"/> (call it once the sampled ones are
    /// stored), forgets those traces and deletes log segments no undecided trace needs any more.
    /// </summary>
    public async Task CompleteAsync(IReadOnlyList<(TraceId TraceId, bool Sampled)> decisions, CancellationToken cancellationToken = default)
    {
        if (decisions.Count > 0)
        {
            var covered = new long[decisions.Count];
            lock (_lock)
            {
                for (var i = 0; i < decisions.Count; i++)
                {
                    covered[i] = _deciding.TryGetValue(decisions[i].TraceId, out var entry) ? entry.MaxSequence : -1;
                }
            }

            await _log.AppendAsync(
                DecisionsKind,
                sizeof(int) + (decisions.Count * DecisionBytes),
                (destination, _) => WriteDecisions(decisions, covered, destination),
                null,
                cancellationToken);
        }

        long oldestNeeded;
        lock (_lock)
        {
            foreach (var (id, _) in decisions)
            {
                if (_deciding.Remove(id, out var entry))
                {
                    Interlocked.Add(ref _bufferedSpans, -entry.SpanCount);
                }
            }

            oldestNeeded = long.MaxValue;
            foreach (var entry in _undecided.Values)
            {
                oldestNeeded = Math.Min(oldestNeeded, entry.MinSequence);
            }

            foreach (var entry in _deciding.Values)
            {
                oldestNeeded = Math.Min(oldestNeeded, entry.MinSequence);
            }
        }

        DeleteUnneeded(oldestNeeded);
    }

    /// <summary>Puts traces taken by <see cref="TakeDueAsync"/> back, undecided (their decision could not be carried out).</summary>
    public void Return(IEnumerable<BufferedTrace> traces)
    {
        lock (_lock)
        {
            foreach (var trace in traces)
            {
                if (!_deciding.Remove(trace.TraceId, out var entry))
                {
                    continue;
                }

                // Spans that arrived meanwhile made a new entry; the two become one again.
                if (_undecided.TryGetValue(trace.TraceId, out var newer))
                {
                    entry.MinSequence = Math.Min(entry.MinSequence, newer.MinSequence);
                    entry.MaxSequence = Math.Max(entry.MaxSequence, newer.MaxSequence);
                    entry.SpanCount += newer.SpanCount;
                }

                _undecided[trace.TraceId] = entry;
            }
        }
    }

    private void DeleteUnneeded(long oldestNeeded)
    {
        var segments = _device.ListFiles(_directory, IngestLog.SegmentPattern);

        // The newest segment may be the one being written; a segment's records end where the next begins.
        var deletable = new List<string>();
        for (var i = 0; i + 1 < segments.Count; i++)
        {
            if (IngestLog.FirstSequenceOfSegment(segments[i + 1]) <= oldestNeeded)
            {
                deletable.Add(segments[i]);
            }
        }

        if (deletable.Count > 0)
        {
            _log.DeleteSegmentFiles(deletable);
        }
    }

    private void ReadBack(IReadOnlyList<string> segments, long boundary, long minSequence, long maxSequence, Dictionary<TraceId, BufferedTrace> due, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            for (var i = 0; i < segments.Count; i++)
            {
                var first = IngestLog.FirstSequenceOfSegment(segments[i]);
                var end = i + 1 < segments.Count ? IngestLog.FirstSequenceOfSegment(segments[i + 1]) : boundary;
                if (end <= minSequence || first > maxSequence)
                {
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                using var file = _device.OpenOrCreate(segments[i]);
                SegmentScanner.Scan(
                    file,
                    first - 1,
                    (sequence, kind, payload) =>
                    {
                        if (kind != SpansKind || sequence < minSequence || sequence > maxSequence || payload.Length < sizeof(long)
                            || !SpanBatchCodec.TryDecode(payload.Span[sizeof(long)..], out var batch, out _))
                        {
                            return;
                        }

                        var rows = batch!.Spans.Rows;
                        for (var s = 0; s < rows.Length; s++)
                        {
                            if (due.TryGetValue(rows[s].TraceId, out var trace))
                            {
                                trace.Add(batch, s);
                            }
                        }
                    },
                    ref buffer);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void OnDurable(long sequence, AppendedSpans state)
    {
        lock (_lock)
        {
            var added = 0;
            var rows = state.Batch.Spans.Rows;
            for (var i = 0; i < rows.Length; i++)
            {
                var id = rows[i].TraceId;
                ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_undecided, id, out var exists);
                if (!exists)
                {
                    // Spans of a trace being decided now follow that decision, in the next round.
                    entry = new Entry(state.Arrival, sequence) { FollowsDecision = _deciding.ContainsKey(id) };
                }

                entry.Add(sequence);
                added++;
            }

            _lastIndexedSequence = sequence;
            Interlocked.Add(ref _bufferedSpans, added);
        }
    }

    private static int Index(Dictionary<TraceId, Entry> undecided, SpanBatch batch, long sequence, long arrival, Dictionary<TraceId, bool> decided)
    {
        var rows = batch.Spans.Rows;
        for (var i = 0; i < rows.Length; i++)
        {
            var id = rows[i].TraceId;
            ref var entry = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(undecided, id, out var exists);
            if (!exists)
            {
                entry = new Entry(arrival, sequence) { FollowsDecision = decided.ContainsKey(id) };
            }

            entry.Add(sequence);
        }

        return rows.Length;
    }

    private static void ReadDecisions(ReadOnlySpan<byte> payload, Dictionary<TraceId, Entry> undecided, Dictionary<TraceId, bool> decided, List<(TraceId, bool)> decisions, ref long spans)
    {
        if (payload.Length < sizeof(int))
        {
            return;
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(payload);
        var body = payload[sizeof(int)..];
        for (var i = 0; i < count && (i + 1) * DecisionBytes <= body.Length; i++)
        {
            var record = body.Slice(i * DecisionBytes, DecisionBytes);
            var id = TraceId.FromBytes(record[..16]);
            var sampled = record[16] == 1;
            var covered = BinaryPrimitives.ReadInt64LittleEndian(record[17..]);
            if (undecided.TryGetValue(id, out var entry))
            {
                if (entry.MaxSequence <= covered)
                {
                    undecided.Remove(id);
                    spans -= entry.SpanCount;
                }
                else
                {
                    // Spans logged while the trace was being decided: they follow the decision. Their
                    // count is not known apart from the rest; one is a lower bound.
                    spans -= entry.SpanCount - 1;
                    undecided[id] = entry with { MinSequence = covered + 1, SpanCount = 1, FollowsDecision = true };
                }
            }

            decided[id] = sampled;
            decisions.Add((id, sampled));
        }
    }

    private static void WriteDecisions(IReadOnlyList<(TraceId TraceId, bool Sampled)> decisions, long[] covered, Span<byte> destination)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, decisions.Count);
        var body = destination[sizeof(int)..];
        for (var i = 0; i < decisions.Count; i++)
        {
            var record = body.Slice(i * DecisionBytes, DecisionBytes);
            decisions[i].TraceId.WriteTo(record[..16]);
            record[16] = decisions[i].Sampled ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteInt64LittleEndian(record[17..], covered[i]);
        }
    }

    public ValueTask DisposeAsync() => _log.DisposeAsync();

    private sealed record AppendedSpans(long Arrival, SpanBatch Batch);

    /// <summary>
    /// What memory holds per undecided trace: 32 bytes of value beside its 16-byte key. The spans are
    /// in log records <see cref="MinSequence"/> to <see cref="MaxSequence"/>.
    /// </summary>
    private record struct Entry
    {
        public Entry(long firstArrival, long sequence)
        {
            FirstArrival = firstArrival;
            MinSequence = sequence;
            MaxSequence = sequence;
        }

        public long FirstArrival;
        public long MinSequence;
        public long MaxSequence;
        public int SpanCount;
        public bool FollowsDecision;

        public void Add(long sequence)
        {
            MinSequence = Math.Min(MinSequence, sequence);
            MaxSequence = Math.Max(MaxSequence, sequence);
            SpanCount++;
        }
    }
}

/// <summary>An undecided trace read back from a <see cref="TraceBuffer"/>: all its buffered spans in one batch.</summary>
internal sealed class BufferedTrace
{
    private readonly SpanCopier _copier;
    private readonly HashSet<SpanId> _seen = new();

    public BufferedTrace(TraceId traceId, long firstArrivalUnixMilliseconds, bool followsDecision)
    {
        TraceId = traceId;
        FirstArrivalUnixMilliseconds = firstArrivalUnixMilliseconds;
        FollowsDecision = followsDecision;
        _copier = new SpanCopier(Spans);
    }

    public TraceId TraceId { get; }

    public long FirstArrivalUnixMilliseconds { get; }

    /// <summary>The spans came after the trace was decided (or while it was): the earlier decision applies.</summary>
    public bool FollowsDecision { get; }

    /// <summary>Taken before its decision_wait had passed, because too many traces were undecided.</summary>
    public bool DecidedEarly { get; init; }

    /// <summary>Each span once (a span sent twice is kept once).</summary>
    public SpanBatch Spans { get; } = new();

    internal void Add(SpanBatch batch, int index)
    {
        if (_seen.Add(batch.Spans[index].SpanId))
        {
            _copier.CopySpan(batch, index);
        }
    }
}
