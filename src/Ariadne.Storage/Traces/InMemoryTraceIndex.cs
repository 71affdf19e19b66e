using System.Diagnostics;
using Ariadne.Model;
using Ariadne.Storage.Blocks.V1;

namespace Ariadne.Storage.Traces;

/// <summary>
/// Keeps batches in memory and, per trace, where its spans are. A span id seen before for the same
/// trace is ignored (first write wins), which is what makes client retries and log replay harmless.
/// </summary>
internal sealed class InMemoryTraceIndex : ITraceIndex
{
    private readonly Dictionary<TraceId, TraceEntry> _traces = new();
    private readonly Lock _lock = new();
    private long _spanCount;

    public long SpanCount => Interlocked.Read(ref _spanCount);

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

    public int Add(SpanBatch batch)
    {
        var added = 0;
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
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
                    entry.Locations.Add((batch, i));
                    entry.LastActivity = now;
                    added++;
                }
            }
        }

        Interlocked.Add(ref _spanCount, added);
        return added;
    }

    public void CollectTrace(TraceId traceId, List<SpanRef> found)
    {
        lock (_lock)
        {
            if (_traces.TryGetValue(traceId, out var entry))
            {
                foreach (var (batch, index) in entry.Locations)
                {
                    found.Add(new SpanRef(batch, index));
                }
            }
        }
    }

    public void CollectOperations(HashSet<SpanOperation> operations)
    {
        lock (_lock)
        {
            foreach (var entry in _traces.Values)
            {
                foreach (var (batch, index) in entry.Locations)
                {
                    ref readonly var span = ref batch.Spans[index];
                    operations.Add(new SpanOperation(batch.GetString(batch.ServiceNameOf(span)), batch.GetString(span.Name), span.Kind));
                }
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
        var complete = new List<SpanRef>();
        var live = new List<SpanRef>();
        lock (_lock)
        {
            foreach (var entry in _traces.Values)
            {
                var target = Stopwatch.GetElapsedTime(entry.LastActivity, now) >= idlePeriod ? complete : live;
                foreach (var (batch, index) in entry.Locations)
                {
                    target.Add(new SpanRef(batch, index));
                }
            }
        }

        return (complete, live);
    }

    public List<SpanRef> AllSpans()
    {
        lock (_lock)
        {
            var spans = new List<SpanRef>((int)Interlocked.Read(ref _spanCount));
            foreach (var entry in _traces.Values)
            {
                foreach (var (batch, index) in entry.Locations)
                {
                    spans.Add(new SpanRef(batch, index));
                }
            }

            return spans;
        }
    }

    private sealed class TraceEntry
    {
        public HashSet<SpanId> SpanIds { get; } = new();

        public List<(SpanBatch Batch, int Index)> Locations { get; } = new(4);

        /// <summary>When the last new span arrived (a <see cref="Stopwatch"/> timestamp).</summary>
        public long LastActivity { get; set; }
    }
}
