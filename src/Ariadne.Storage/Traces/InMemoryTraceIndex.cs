using System.Diagnostics;
using System.Runtime.InteropServices;
using Ariadne.Model;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Traces;

/// <summary>
/// The head, kept small: each batch is held as its compressed log record (a <see cref="SpanRecord"/>,
/// about a sixth of the decoded size), and per trace only where its spans are. The decoded batch is
/// held weakly, so the garbage collector frees it when nobody reads it and it is decoded again on the
/// next read; received batches therefore die young instead of piling up in the oldest generation. A
/// span id seen before for the same trace is ignored (first write wins), which is what makes client
/// retries and log replay harmless.
/// </summary>
internal sealed class InMemoryTraceIndex : ITraceIndex
{
    /// <summary>Trace id → its slot in <see cref="_slots"/>.</summary>
    private readonly Dictionary<TraceId, int> _traces = new();

    /// <summary>
    /// What is known per trace and where its spans are, in flat arrays of structs rather than objects
    /// per trace: the head lives for seconds, long enough for the garbage collector to promote whatever
    /// it holds, and a few large arrays cost it nothing to trace or copy where hundreds of thousands of
    /// small sets and lists did.
    /// </summary>
    private TraceSlot[] _slots = new TraceSlot[256];
    private int _slotCount;

    /// <summary>Where each indexed span is; the spans of one trace are chained in arrival order.</summary>
    private Location[] _locations = new Location[1024];
    private int _locationCount;

    /// <summary>(trace slot, span id) of every span indexed, for first-write-wins.</summary>
    private readonly HashSet<SpanKey> _spanKeys = new();

    private readonly List<Chunk> _chunks = new();
    private readonly Lock _lock = new();
    private long _spanCount;
    private long _compressedBytes;

    public long SpanCount => Interlocked.Read(ref _spanCount);

    /// <summary>Bytes of compressed batches held.</summary>
    public long CompressedBytes => Interlocked.Read(ref _compressedBytes);

    public long TraceCount
    {
        get
        {
            lock (_lock)
            {
                return _slotCount;
            }
        }
    }

    /// <summary>Indexes a batch, compressing it first.</summary>
    public int Add(SpanBatch batch) => Add(SpanRecord.Encode(batch, 0), batch);

    /// <summary>Indexes a batch whose <see cref="SpanRecord"/> payload the caller already has (the log record).</summary>
    public int Add(byte[] record, SpanBatch batch)
    {
        var added = 0;
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            var chunk = _chunks.Count;
            var spans = batch.Spans.Rows;

            // A request usually carries a trace's spans one after another: look its slot up once.
            var slot = -1;
            var slotTraceId = default(TraceId);
            for (var i = 0; i < spans.Length; i++)
            {
                ref readonly var span = ref spans[i];
                if (slot < 0 || span.TraceId != slotTraceId)
                {
                    ref var slotOfTrace = ref CollectionsMarshal.GetValueRefOrAddDefault(_traces, span.TraceId, out var known);
                    if (!known)
                    {
                        slotOfTrace = NewSlot(span.TraceId);
                    }

                    slot = slotOfTrace;
                    slotTraceId = span.TraceId;
                }

                if (!_spanKeys.Add(new SpanKey(slot, span.SpanId.Value)))
                {
                    continue;
                }

                var location = NewLocation(chunk, i);
                ref var trace = ref _slots[slot];
                if (trace.First < 0)
                {
                    trace.First = location;
                }
                else
                {
                    _locations[trace.Last].Next = location;
                }

                trace.Last = location;
                trace.Count++;
                trace.LastActivity = now;
                added++;
            }

            if (added > 0)
            {
                _chunks.Add(new Chunk(record, batch));
                _compressedBytes += record.Length;
            }
        }

        Interlocked.Add(ref _spanCount, added);
        return added;
    }

    private int NewSlot(TraceId traceId)
    {
        if (_slotCount == _slots.Length)
        {
            Array.Resize(ref _slots, _slots.Length * 2);
        }

        _slots[_slotCount] = new TraceSlot { Id = traceId, First = -1, Last = -1 };
        return _slotCount++;
    }

    private int NewLocation(int chunk, int index)
    {
        if (_locationCount == _locations.Length)
        {
            Array.Resize(ref _locations, _locations.Length * 2);
        }

        _locations[_locationCount] = new Location { Chunk = chunk, Index = index, Next = -1 };
        return _locationCount++;
    }

    public void CollectTrace(TraceId traceId, List<SpanRef> found)
    {
        var trace = new TraceSelection();
        lock (_lock)
        {
            if (!_traces.TryGetValue(traceId, out var slot))
            {
                return;
            }

            trace.Add(slot, _slots[slot].Count);
        }

        found.AddRange(SpansOf(trace));
    }

    public void CollectOperations(HashSet<SpanOperation> operations)
    {
        foreach (var batch in Batches())
        {
            foreach (ref readonly var span in batch.Spans.Rows)
            {
                operations.Add(new SpanOperation(batch.GetString(batch.ServiceNameOf(span)), batch.GetString(span.Name), span.Kind));
            }
        }
    }

    public bool Contains(TraceId traceId)
    {
        lock (_lock)
        {
            return _traces.ContainsKey(traceId);
        }
    }

    public int SpanCountOf(TraceId traceId)
    {
        lock (_lock)
        {
            return _traces.TryGetValue(traceId, out var slot) ? _slots[slot].Count : 0;
        }
    }

    public List<TraceId> TraceIds()
    {
        lock (_lock)
        {
            var ids = new List<TraceId>(_slotCount);
            for (var slot = 0; slot < _slotCount; slot++)
            {
                ids.Add(_slots[slot].Id);
            }

            return ids;
        }
    }

    public (TraceSelection Complete, TraceSelection Live) SplitByIdle(TimeSpan idlePeriod)
    {
        var now = Stopwatch.GetTimestamp();
        var complete = new TraceSelection();
        var live = new TraceSelection();
        lock (_lock)
        {
            for (var slot = 0; slot < _slotCount; slot++)
            {
                ref readonly var trace = ref _slots[slot];
                var target = Stopwatch.GetElapsedTime(trace.LastActivity, now) >= idlePeriod ? complete : live;
                target.Add(slot, trace.Count);
            }
        }

        return (complete, live);
    }

    public List<SpanRef> SpansOf(TraceSelection traces)
    {
        // The places are read under the lock, the batches decoded outside it. Sized by the selection;
        // spans that reached a selected trace since are taken as well.
        var places = new List<(int Chunk, int Index)>((int)traces.SpanCount);
        lock (_lock)
        {
            foreach (var (slot, _) in traces.Traces)
            {
                for (var at = _slots[slot].First; at >= 0; at = _locations[at].Next)
                {
                    places.Add((_locations[at].Chunk, _locations[at].Index));
                }
            }
        }

        // A trace's spans mostly lie together in one batch, so the last one is looked up once. A batch
        // met again later is still held by the spans listed, so its weak reference finds it decoded.
        var spans = new List<SpanRef>(places.Count);
        var lastChunk = -1;
        SpanBatch? batch = null;
        foreach (var (chunk, index) in places)
        {
            if (chunk != lastChunk)
            {
                batch = Decoded(chunk);
                lastChunk = chunk;
            }

            spans.Add(new SpanRef(batch!, index));
        }

        return spans;
    }

    public List<SpanRef> AllSpans()
    {
        var batches = Batches();
        lock (_lock)
        {
            var spans = new List<SpanRef>((int)Interlocked.Read(ref _spanCount));
            for (var slot = 0; slot < _slotCount; slot++)
            {
                AddSpansOf(_slots[slot], batches, spans);
            }

            return spans;
        }
    }

    private void AddSpansOf(in TraceSlot trace, List<SpanBatch> batches, List<SpanRef> target)
    {
        for (var at = trace.First; at >= 0; at = _locations[at].Next)
        {
            ref readonly var location = ref _locations[at];
            target.Add(new SpanRef(batches[location.Chunk], location.Index));
        }
    }

    /// <summary>Every batch held, decoded (each once), by chunk number.</summary>
    public List<SpanBatch> Batches()
    {
        int count;
        lock (_lock)
        {
            count = _chunks.Count;
        }

        var batches = new List<SpanBatch>(count);
        for (var i = 0; i < count; i++)
        {
            batches.Add(Decoded(i));
        }

        return batches;
    }

    private SpanBatch Decoded(int chunk)
    {
        Chunk held;
        lock (_lock)
        {
            held = _chunks[chunk];
        }

        if (held.Batch.TryGetTarget(out var batch))
        {
            return batch;
        }

        // Written by this process and checked when it was, so a failure here is a bug, not bad input.
        if (!SpanRecord.TryDecode(held.Record, out _, out batch))
        {
            throw new InvalidDataException($"a batch held in the head (chunk {chunk}) does not decode");
        }

        held.Batch.SetTarget(batch);
        return batch;
    }

    private sealed class Chunk(byte[] record, SpanBatch batch)
    {
        public byte[] Record { get; } = record;

        public WeakReference<SpanBatch> Batch { get; } = new(batch);
    }

    private struct TraceSlot
    {
        public TraceId Id;

        /// <summary>The first and last of the trace's spans in <see cref="_locations"/>, or −1.</summary>
        public int First;
        public int Last;

        /// <summary>How many distinct spans of the trace are indexed.</summary>
        public int Count;

        /// <summary>When the last new span arrived (a <see cref="Stopwatch"/> timestamp).</summary>
        public long LastActivity;
    }

    private struct Location
    {
        public int Chunk;
        public int Index;

        /// <summary>The trace's next span in <see cref="_locations"/>, or −1.</summary>
        public int Next;
    }

    /// <summary>
    /// A span by its trace's slot and its id. Span ids come from clients, so the hash is the runtime's
    /// seeded one: ids chosen to collide cannot turn the set into a list.
    /// </summary>
    private readonly struct SpanKey(int trace, ulong spanId) : IEquatable<SpanKey>
    {
        private readonly ulong _spanId = spanId;
        private readonly int _trace = trace;

        public bool Equals(SpanKey other) => _spanId == other._spanId && _trace == other._trace;

        public override bool Equals(object? obj) => obj is SpanKey other && Equals(other);

        public override int GetHashCode() => HashCode.Combine(_trace, _spanId);
    }
}
