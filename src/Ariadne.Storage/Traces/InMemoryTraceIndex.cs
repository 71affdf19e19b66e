using System.Diagnostics;
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
    private readonly Dictionary<TraceId, TraceEntry> _traces = new();
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
                return _traces.Count;
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
            for (var i = 0; i < spans.Length; i++)
            {
                ref readonly var span = ref spans[i];
                if (!_traces.TryGetValue(span.TraceId, out var entry))
                {
                    entry = new TraceEntry();
                    _traces.Add(span.TraceId, entry);
                }

                if (entry.SpanIds.Add(span.SpanId))
                {
                    entry.Locations.Add((chunk, i));
                    entry.LastActivity = now;
                    added++;
                }
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

    public void CollectTrace(TraceId traceId, List<SpanRef> found)
    {
        List<(int Chunk, int Index)> locations;
        lock (_lock)
        {
            if (!_traces.TryGetValue(traceId, out var entry))
            {
                return;
            }

            locations = [.. entry.Locations];
        }

        foreach (var (chunk, index) in locations)
        {
            found.Add(new SpanRef(Decoded(chunk), index));
        }
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
            return _traces.TryGetValue(traceId, out var entry) ? entry.SpanIds.Count : 0;
        }
    }

    public List<TraceId> TraceIds()
    {
        lock (_lock)
        {
            return [.. _traces.Keys];
        }
    }

    public (List<SpanRef> Complete, List<SpanRef> Live) SplitByIdle(TimeSpan idlePeriod)
    {
        var now = Stopwatch.GetTimestamp();
        var batches = Batches();
        var complete = new List<SpanRef>();
        var live = new List<SpanRef>();
        lock (_lock)
        {
            foreach (var entry in _traces.Values)
            {
                var target = Stopwatch.GetElapsedTime(entry.LastActivity, now) >= idlePeriod ? complete : live;
                foreach (var (chunk, index) in entry.Locations)
                {
                    target.Add(new SpanRef(batches[chunk], index));
                }
            }
        }

        return (complete, live);
    }

    public List<SpanRef> AllSpans()
    {
        var batches = Batches();
        lock (_lock)
        {
            var spans = new List<SpanRef>((int)Interlocked.Read(ref _spanCount));
            foreach (var entry in _traces.Values)
            {
                foreach (var (chunk, index) in entry.Locations)
                {
                    spans.Add(new SpanRef(batches[chunk], index));
                }
            }

            return spans;
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

    private sealed class TraceEntry
    {
        public HashSet<SpanId> SpanIds { get; } = new();

        public List<(int Chunk, int Index)> Locations { get; } = new(4);

        /// <summary>When the last new span arrived (a <see cref="Stopwatch"/> timestamp).</summary>
        public long LastActivity { get; set; }
    }
}
