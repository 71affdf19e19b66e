using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Ariadne.Model;
using Ariadne.Storage.IO;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Tail;

/// <summary>
/// Where a tail sampler keeps the spans of traces it has not decided yet: on disk, in an ingest log of
/// its own, so a crash loses nothing acknowledged. Memory holds, per undecided trace, when its first
/// span arrived, how many spans it has and which log records hold them, and, per record, where it is;
/// never the spans. When traces are due, exactly the records holding their spans are read back (each
/// once per round), and the caller decides; the decisions are logged too, and a segment is deleted
/// once no undecided trace has a span in it. Opening the buffer after a crash rebuilds the undecided
/// traces with their original arrival times, so they are decided as if nothing had happened.
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
    private readonly Dictionary<TraceId, Entry> _undecided;
    private readonly Dictionary<TraceId, Entry> _deciding = new();
    private readonly RecordLocations _locations;
    private readonly List<(TraceId TraceId, bool Sampled)> _replayedDecisions;
    private readonly string _directory;
    private readonly IStorageDevice _device;
    private long _bufferedSpans;
    private long _unreadableRecords;

    private TraceBuffer(IngestLog log, string directory, IStorageDevice device, Dictionary<TraceId, Entry> undecided, RecordLocations locations, List<(TraceId, bool)> replayedDecisions, long spans)
    {
        _log = log;
        _directory = directory;
        _device = device;
        _undecided = undecided;
        _locations = locations;
        _replayedDecisions = replayedDecisions;
        _bufferedSpans = spans;
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

    /// <summary>Records that could not be read back when their traces were decided (damaged on disk).</summary>
    public long UnreadableRecords => Interlocked.Read(ref _unreadableRecords);

    /// <summary>Bytes of log on disk.</summary>
    public long SizeBytes => _log.SizeBytes;

    /// <summary>Decisions found in the log when it was opened, in log order; for the caller's decision cache.</summary>
    public IReadOnlyList<(TraceId TraceId, bool Sampled)> ReplayedDecisions => _replayedDecisions;

    /// <summary>Segments are deleted whole; the smaller they are, the sooner the space of decided traces is freed.</summary>
    public const long DefaultSegmentSizeBytes = 16L << 20;

    /// <summary>Opens (or creates) the buffer in <paramref name="directory"/>, rebuilding undecided traces from the log.</summary>
    public static Task<TraceBuffer> OpenAsync(
        string directory,
        IStorageDevice? device = null,
        TimeSpan maxGroupCommitDelay = default,
        long segmentSizeBytes = DefaultSegmentSizeBytes,
        CancellationToken cancellationToken = default)
    {
        device ??= FileSystemDevice.Instance;
        return Task.Run(
            () =>
            {
                var decided = new HashSet<TraceId>();
                var decisions = new List<(TraceId, bool)>();
                var undecided = new Dictionary<TraceId, Entry>();
                var locations = new RecordLocations();
                TraceBuffer? buffer = null;
                long spans = 0;
                var log = IngestLog.Open(
                    new IngestLogOptions
                    {
                        Directory = directory,
                        Device = device,
                        SegmentSizeBytes = segmentSizeBytes,
                        MaxGroupCommitDelay = maxGroupCommitDelay,
                    },
                    (sequence, kind, payload) =>
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        if (kind == SpansKind && SpanRecord.TryDecode(payload.Span, out var arrival, out var batch))
                        {
                            spans += Index(undecided, batch, sequence, arrival, decided);
                        }
                        else if (kind == DecisionsKind)
                        {
                            ReadDecisions(payload.Span, undecided, decided, decisions, ref spans);
                        }
                    },
                    out _,
                    (location, state) => buffer!.OnDurable(location, state as AppendedSpans),
                    locations.Add);
                buffer = new TraceBuffer(log, directory, device, undecided, locations, decisions, spans);
                return buffer;
            },
            cancellationToken);
    }

    /// <summary>Makes the spans durable (a compressed <see cref="SpanRecord"/>); once this returns they are buffered until their trace is decided.</summary>
    public async ValueTask AppendAsync(SpanBatch batch, long arrivalUnixMilliseconds, CancellationToken cancellationToken = default) =>
        await SpanRecord.AppendAsync(_log, SpansKind, batch, arrivalUnixMilliseconds, new AppendedSpans(arrivalUnixMilliseconds, batch), cancellationToken);

    /// <summary>
    /// Takes the traces whose first span arrived at or before <paramref name="cutoffUnixMilliseconds"/>
    /// (and those whose spans came while they were being decided), reads their spans back from the log
    /// and returns each trace whole. When more than <paramref name="maxUndecided"/> traces would stay
    /// undecided, the oldest of them are taken too (marked <see cref="BufferedTrace.DecidedEarly"/>).
    /// Until <see cref="CompleteAsync"/> or <see cref="Return"/> they count as being decided.
    /// </summary>
    public Task<List<BufferedTrace>> TakeDueAsync(long cutoffUnixMilliseconds, int maxUndecided = int.MaxValue, CancellationToken cancellationToken = default)
    {
        var due = new Dictionary<TraceId, BufferedTrace>();
        var records = new List<long>();
        lock (_lock)
        {
            foreach (var (id, entry) in _undecided)
            {
                if (entry.FirstArrival <= cutoffUnixMilliseconds || entry.FollowsDecision)
                {
                    due.Add(id, new BufferedTrace(id, entry.FirstArrival, entry.FollowsDecision));
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
                }
            }

            foreach (var id in due.Keys)
            {
                _undecided.Remove(id, out var entry);
                entry.Records.CopyTo(records);
                _deciding[id] = entry;
            }
        }

        if (due.Count == 0)
        {
            return Task.FromResult(new List<BufferedTrace>());
        }

        return Task.Run(
            () =>
            {
                ReadBack(records, due, cancellationToken);
                var result = new List<BufferedTrace>(due.Count);
                foreach (var trace in due.Values)
                {
                    result.Add(trace);
                }

                return result;
            },
            cancellationToken);
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
                    covered[i] = _deciding.TryGetValue(decisions[i].TraceId, out var entry) ? entry.Records.Last : -1;
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
                oldestNeeded = Math.Min(oldestNeeded, entry.Records.First);
            }

            foreach (var entry in _deciding.Values)
            {
                oldestNeeded = Math.Min(oldestNeeded, entry.Records.First);
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
                    var merged = new List<long>();
                    newer.Records.CopyTo(merged);
                    foreach (var record in merged)
                    {
                        entry.Records.Add(record);
                    }

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
        var firstKept = long.MinValue;
        for (var i = 0; i + 1 < segments.Count; i++)
        {
            var next = IngestLog.FirstSequenceOfSegment(segments[i + 1]);
            if (next <= oldestNeeded)
            {
                deletable.Add(segments[i]);
                firstKept = next;
            }
        }

        if (deletable.Count > 0)
        {
            _log.DeleteSegmentFiles(deletable);
            lock (_lock)
            {
                _locations.RemoveBefore(firstKept);
            }
        }
    }

    /// <summary>Reads each record once, in log order, handing every span of a due trace to that trace.</summary>
    private void ReadBack(List<long> records, Dictionary<TraceId, BufferedTrace> due, CancellationToken cancellationToken)
    {
        records.Sort();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        IStorageFile? file = null;
        var fileSegment = long.MinValue;
        try
        {
            var previous = long.MinValue;
            foreach (var sequence in records)
            {
                if (sequence == previous)
                {
                    continue;
                }

                previous = sequence;
                cancellationToken.ThrowIfCancellationRequested();
                LogRecordLocation location;
                lock (_lock)
                {
                    if (!_locations.TryGet(sequence, out location))
                    {
                        Interlocked.Increment(ref _unreadableRecords);
                        continue;
                    }
                }

                if (location.SegmentFirstSequence != fileSegment)
                {
                    file?.Dispose();
                    file = _device.OpenOrCreate(_log.SegmentPath(location.SegmentFirstSequence));
                    fileSegment = location.SegmentFirstSequence;
                }

                if (!SegmentScanner.TryReadAt(file!, location.Offset, sequence, ref buffer, out var kind, out var length)
                    || kind != SpansKind
                    || !SpanRecord.TryDecode(buffer.AsSpan(0, length), out _, out var batch))
                {
                    // Damaged on disk after it was written (checksums caught it): the traces are decided
                    // on the spans that could be read, and the loss is counted rather than blocking every round.
                    Interlocked.Increment(ref _unreadableRecords);
                    continue;
                }

                var rows = batch.Spans.Rows;
                for (var s = 0; s < rows.Length; s++)
                {
                    if (due.TryGetValue(rows[s].TraceId, out var trace))
                    {
                        trace.Add(batch, s);
                    }
                }
            }
        }
        finally
        {
            file?.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void OnDurable(LogRecordLocation location, AppendedSpans? state)
    {
        lock (_lock)
        {
            _locations.Add(location);
            if (state is null)
            {
                return;
            }

            var rows = state.Batch.Spans.Rows;
            for (var i = 0; i < rows.Length; i++)
            {
                var id = rows[i].TraceId;
                ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_undecided, id, out var exists);
                if (!exists)
                {
                    // Spans of a trace being decided now follow that decision, in the next round.
                    entry = new Entry(state.Arrival, location.Sequence) { FollowsDecision = _deciding.ContainsKey(id) };
                }

                entry.Records.Add(location.Sequence);
                entry.SpanCount++;
            }

            Interlocked.Add(ref _bufferedSpans, rows.Length);
        }
    }

    private static int Index(Dictionary<TraceId, Entry> undecided, SpanBatch batch, long sequence, long arrival, HashSet<TraceId> decided)
    {
        var rows = batch.Spans.Rows;
        for (var i = 0; i < rows.Length; i++)
        {
            var id = rows[i].TraceId;
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(undecided, id, out var exists);
            if (!exists)
            {
                entry = new Entry(arrival, sequence) { FollowsDecision = decided.Contains(id) };
            }

            entry.Records.Add(sequence);
            entry.SpanCount++;
        }

        return rows.Length;
    }

    private static void ReadDecisions(ReadOnlySpan<byte> payload, Dictionary<TraceId, Entry> undecided, HashSet<TraceId> decided, List<(TraceId, bool)> decisions, ref long spans)
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
            if (undecided.Remove(id, out var entry))
            {
                spans -= entry.SpanCount;
                if (entry.Records.Last > covered)
                {
                    // Spans logged while the trace was being decided: they follow the decision. How many of
                    // the trace's spans they are is not known apart from the rest; one is a lower bound.
                    var all = new List<long>();
                    entry.Records.CopyTo(all);
                    all.RemoveAll(sequence => sequence <= covered);
                    all.Sort();
                    var later = new Entry(entry.FirstArrival, all[0]) { FollowsDecision = true, SpanCount = 1 };
                    foreach (var sequence in all)
                    {
                        later.Records.Add(sequence);
                    }

                    undecided[id] = later;
                    spans += 1;
                }
            }

            decided.Add(id);
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

    /// <summary>What memory holds per undecided trace, beside its 16-byte key.</summary>
    private struct Entry
    {
        public Entry(long firstArrival, long firstRecord)
        {
            FirstArrival = firstArrival;
            Records = new RecordList(firstRecord);
        }

        public long FirstArrival;
        public int SpanCount;
        public bool FollowsDecision;
        public RecordList Records;
    }

    /// <summary>
    /// The log records holding a trace's spans, ascending: the first inline, the rest in an array that
    /// only traces spread over several records need. A record holding several of the trace's spans is listed once.
    /// </summary>
    private struct RecordList
    {
        private long[]? _more;
        private int _moreCount;

        public RecordList(long first)
        {
            First = first;
            Last = first;
        }

        public long First { get; private set; }

        public long Last { get; private set; }

        public void Add(long sequence)
        {
            if (sequence == Last || sequence == First)
            {
                return;
            }

            if (sequence < First)
            {
                // Only when merging an entry back (Return): keep First the smallest.
                (sequence, First) = (First, sequence);
            }

            _more ??= new long[2];
            if (_moreCount == _more.Length)
            {
                Array.Resize(ref _more, _more.Length * 2);
            }

            _more[_moreCount++] = sequence;
            Last = Math.Max(Last, sequence);
        }

        public readonly void CopyTo(List<long> records)
        {
            records.Add(First);
            for (var i = 0; i < _moreCount; i++)
            {
                records.Add(_more![i]);
            }
        }
    }

    /// <summary>Where each record of the log is, by sequence (sequences of records no longer kept are forgotten).</summary>
    private sealed class RecordLocations
    {
        private readonly List<LogRecordLocation> _locations = new();
        private int _start;

        public void Add(LogRecordLocation location) => _locations.Add(location);

        public bool TryGet(long sequence, out LogRecordLocation location)
        {
            // Sequences ascend but may have gaps (after damage was skipped), so search.
            var low = _start;
            var high = _locations.Count - 1;
            while (low <= high)
            {
                var middle = low + ((high - low) / 2);
                var found = _locations[middle].Sequence;
                if (found == sequence)
                {
                    location = _locations[middle];
                    return true;
                }

                if (found < sequence)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }

            location = default;
            return false;
        }

        public void RemoveBefore(long sequence)
        {
            while (_start < _locations.Count && _locations[_start].Sequence < sequence)
            {
                _start++;
            }

            if (_start > 4096 && _start > _locations.Count / 2)
            {
                _locations.RemoveRange(0, _start);
                _start = 0;
            }
        }
    }
}

/// <summary>An undecided trace read back from a <see cref="TraceBuffer"/>: where each of its buffered spans is.</summary>
internal sealed class BufferedTrace
{
    /// <summary>Up to this many spans, duplicates are found by a linear search; beyond it by a set.</summary>
    private const int LinearSearchLimit = 32;

    private HashSet<SpanId>? _seen;

    public BufferedTrace(TraceId traceId, long firstArrivalUnixMilliseconds, bool followsDecision)
    {
        TraceId = traceId;
        FirstArrivalUnixMilliseconds = firstArrivalUnixMilliseconds;
        FollowsDecision = followsDecision;
    }

    public TraceId TraceId { get; }

    public long FirstArrivalUnixMilliseconds { get; }

    /// <summary>The spans came after the trace was decided (or while it was): the earlier decision applies.</summary>
    public bool FollowsDecision { get; }

    /// <summary>Taken before its decision_wait had passed, because too many traces were undecided.</summary>
    public bool DecidedEarly { get; init; }

    /// <summary>Each span once (a span sent twice is kept once), in the batches read back from the log.</summary>
    public List<SpanRef> Spans { get; } = new(8);

    internal void Add(SpanBatch batch, int index)
    {
        var id = batch.Spans[index].SpanId;
        if (Spans.Count < LinearSearchLimit)
        {
            foreach (var span in Spans)
            {
                if (span.Row.SpanId == id)
                {
                    return;
                }
            }
        }
        else
        {
            if (_seen is null)
            {
                _seen = new HashSet<SpanId>(Spans.Count * 2);
                foreach (var span in Spans)
                {
                    _seen.Add(span.Row.SpanId);
                }
            }

            if (!_seen.Add(id))
            {
                return;
            }
        }

        Spans.Add(new SpanRef(batch, index));
    }
}
