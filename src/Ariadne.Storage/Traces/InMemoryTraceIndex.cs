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
/// span id seen before for the same trace is read once (first write wins), which is what makes client
/// retries and log replay harmless; counts (<see cref="SpanCount"/>, a trace's count) include such
/// repeats until the cut.
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

    /// <summary>Per request being added: each trace's chain of the request's spans (reused, under the lock).</summary>
    private readonly List<Group> _groups = [];
    private Dictionary<TraceId, int> _groupOfTrace = new();
    private const int MaxGroupsKept = 4096;

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
    /// <remarks>
    /// The spans of a request are first chained per trace among themselves, in locations that are
    /// consecutive and still in cache; only then is each trace looked up in the head and its chain
    /// joined on. A request of 1,000 spans over 125 traces touches the head's large tables 125 times
    /// instead of 1,000: those touches are cache misses once the head holds millions of spans.
    /// </remarks>
    public int Add(byte[] record, SpanBatch batch)
    {
        var spans = batch.Spans.Rows;
        if (spans.Length == 0)
        {
            return 0;
        }

        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            var chunk = _chunks.Count;
            var groupOfTrace = _groupOfTrace;
            var groups = _groups;
            groups.Clear();

            // Consecutive spans of one trace (common within a scope) skip even the small lookup.
            var group = -1;
            var groupTraceId = default(TraceId);
            for (var i = 0; i < spans.Length; i++)
            {
                var traceId = spans[i].TraceId;
                if (group < 0 || traceId != groupTraceId)
                {
                    ref var found = ref CollectionsMarshal.GetValueRefOrAddDefault(groupOfTrace, traceId, out var known);
                    if (!known)
                    {
                        found = groups.Count;
                        groups.Add(new Group { TraceId = traceId, First = -1, Last = -1 });
                    }

                    group = found;
                    groupTraceId = traceId;
                }

                var location = NewLocation(chunk, i);
                ref var chain = ref CollectionsMarshal.AsSpan(groups)[group];
                if (chain.First < 0)
                {
                    chain.First = location;
                }
                else
                {
                    _locations[chain.Last].Next = location;
                }

                chain.Last = location;
                chain.Count++;
            }

            // Traces new to the head get their slots in the order the request first names them.
            foreach (ref readonly var chain in CollectionsMarshal.AsSpan(groups))
            {
                ref var slotOfTrace = ref CollectionsMarshal.GetValueRefOrAddDefault(_traces, chain.TraceId, out var known);
                if (!known)
                {
                    slotOfTrace = NewSlot(chain.TraceId);
                }

                ref var trace = ref _slots[slotOfTrace];
                if (trace.First < 0)
                {
                    trace.First = chain.First;
                }
                else
                {
                    _locations[trace.Last].Next = chain.First;
                }

                trace.Last = chain.Last;
                trace.Count += chain.Count;
                trace.LastActivity = now;
            }

            // A request with very many traces would leave the lookup large, and clearing it costs its size.
            if (groupOfTrace.Count > MaxGroupsKept)
            {
                _groupOfTrace = new Dictionary<TraceId, int>();
            }
            else
            {
                groupOfTrace.Clear();
            }

            _chunks.Add(new Chunk(record, batch));
            _compressedBytes += record.Length;
        }

        Interlocked.Add(ref _spanCount, spans.Length);
        return spans.Length;
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
        var ends = new int[traces.TraceCount];
        lock (_lock)
        {
            var trace = 0;
            foreach (var (slot, _) in traces.Traces)
            {
                for (var at = _slots[slot].First; at >= 0; at = _locations[at].Next)
                {
                    places.Add((_locations[at].Chunk, _locations[at].Index));
                }

                ends[trace++] = places.Count;
            }
        }

        // A trace's spans mostly lie together in one batch, so the last one is looked up once. A batch
        // met again later is still held by the spans listed, so its weak reference finds it decoded.
        var spans = new List<SpanRef>(places.Count);
        var lastChunk = -1;
        SpanBatch? batch = null;
        var seen = new RepeatFilter();
        var next = 0;
        foreach (var end in ends)
        {
            var start = spans.Count;
            for (; next < end; next++)
            {
                var (chunk, index) = places[next];
                if (chunk != lastChunk)
                {
                    batch = Decoded(chunk);
                    lastChunk = chunk;
                }

                spans.Add(new SpanRef(batch!, index));
            }

            seen.DropRepeats(spans, start);
        }

        return spans;
    }

    public List<SpanRef> AllSpans()
    {
        var all = new TraceSelection();
        lock (_lock)
        {
            for (var slot = 0; slot < _slotCount; slot++)
            {
                all.Add(slot, _slots[slot].Count);
            }
        }

        return SpansOf(all);
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

        /// <summary>How many spans of the trace are indexed, repeats included.</summary>
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

    /// <summary>One trace's spans within the request being added, chained in arrival order.</summary>
    private struct Group
    {
        public TraceId TraceId;
        public int First;
        public int Last;
        public int Count;
    }

    /// <summary>
    /// Drops a span listed again for its trace (same span id: a client's retry, a replayed record),
    /// keeping the first. The head indexes repeats as they come, since a set of every span id held costs
    /// a cache miss per span on the way in; they are dropped here, where a trace's spans are read together.
    /// </summary>
    private struct RepeatFilter
    {
        /// <summary>Traces up to this size are compared pairwise; larger ones go through a set.</summary>
        private const int PairwiseUpTo = 32;

        private HashSet<SpanIdKey>? _seen;

        /// <summary>Removes repeats from <paramref name="spans"/>[<paramref name="start"/>..], one trace's spans.</summary>
        public void DropRepeats(List<SpanRef> spans, int start)
        {
            var count = spans.Count - start;
            if (count < 2)
            {
                return;
            }

            var trace = CollectionsMarshal.AsSpan(spans)[start..];
            var kept = 0;
            if (count <= PairwiseUpTo)
            {
                Span<ulong> ids = stackalloc ulong[PairwiseUpTo];
                foreach (var span in trace)
                {
                    var id = span.Row.SpanId.Value;
                    if (ids[..kept].IndexOf(id) < 0)
                    {
                        ids[kept] = id;
                        trace[kept++] = span;
                    }
                }
            }
            else
            {
                _seen ??= new HashSet<SpanIdKey>();
                _seen.Clear();
                foreach (var span in trace)
                {
                    if (_seen.Add(new SpanIdKey(span.Row.SpanId.Value)))
                    {
                        trace[kept++] = span;
                    }
                }
            }

            if (kept < count)
            {
                spans.RemoveRange(start + kept, count - kept);
            }
        }
    }

    /// <summary>
    /// A span id as a set key. Span ids come from clients, so the hash is the runtime's seeded one: ids
    /// chosen to collide cannot turn the set into a list.
    /// </summary>
    private readonly struct SpanIdKey(ulong spanId) : IEquatable<SpanIdKey>
    {
        private readonly ulong _spanId = spanId;

        public bool Equals(SpanIdKey other) => _spanId == other._spanId;

        public override bool Equals(object? obj) => obj is SpanIdKey other && Equals(other);

        public override int GetHashCode() => HashCode.Combine(_spanId);
    }
}
