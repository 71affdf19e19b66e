using Ariadne.Model;
using Ariadne.Storage.Blocks.V1;
using Ariadne.Storage.Traces;

namespace Ariadne.Storage.Tests.Traces;

public class InMemoryTraceIndexTests
{
    [Fact]
    public void Add_SameSpanIdTwice_KeepsTheFirstCopy()
    {
        var index = new InMemoryTraceIndex();
        var traceId = new TraceId(1, 1);
        var first = TestBatches.Create(traceId, 2, service: "first");
        var second = TestBatches.Create(traceId, 3, service: "second");
        Assert.Equal(2, index.Add(first));
        Assert.Equal(3, index.Add(second));

        var found = new List<SpanRef>();
        index.CollectTrace(traceId, found);
        Assert.Equal(3, found.Count);
        Assert.Same(first, found[0].Batch);
        Assert.Same(first, found[1].Batch);
        Assert.Same(second, found[2].Batch);
        Assert.Equal(3, index.AllSpans().Count);
        Assert.Equal(3, index.SpansOf(index.SplitByIdle(TimeSpan.Zero).Complete).Count);

        // Counts include the repeats until the cut; reads do not.
        Assert.Equal(5, index.SpanCount);
        Assert.Equal(5, index.SpanCountOf(traceId));
        Assert.Equal(1, index.TraceCount);
    }

    [Fact]
    public void BatchesNobodyHolds_AreFreed_AndDecodedAgainFromTheCompressedRecord()
    {
        var index = new InMemoryTraceIndex();
        var traceId = new TraceId(7, 7);
        var original = AddUnreferenced(index, traceId);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(original.TryGetTarget(out _), "the decoded batch should not be kept alive by the head");

        var found = new List<SpanRef>();
        index.CollectTrace(traceId, found);
        Assert.Equal(3, found.Count);
        Assert.Equal(["op 0", "op 1", "op 2"], found.Select(s => s.Batch.GetString(s.Row.Name)));
        Assert.Equal("checkout", found[0].Batch.GetString(found[0].Batch.ServiceNameOf(found[0].Row)));
        Assert.True(index.CompressedBytes > 0);

        // One decoded copy serves every span of the chunk while someone holds it.
        Assert.Same(found[0].Batch, found[2].Batch);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference<SpanBatch> AddUnreferenced(InMemoryTraceIndex index, TraceId traceId)
    {
        var batch = TestBatches.Create(traceId, 3);
        index.Add(batch);
        return new WeakReference<SpanBatch>(batch);
    }

    [Fact]
    public void Add_SameSpanIdInAnotherTrace_IsADifferentSpan()
    {
        var index = new InMemoryTraceIndex();
        index.Add(TestBatches.Create(new TraceId(1, 1), 2));
        index.Add(TestBatches.Create(new TraceId(2, 2), 2));
        Assert.Equal(4, index.SpanCount);
        Assert.Equal(2, index.TraceCount);
    }

    [Fact]
    public void TracesSpreadOverManyBatches_AreListedInArrivalOrder_EachSpanOnce()
    {
        var index = new InMemoryTraceIndex();
        var a = new TraceId(10, 1);
        var b = new TraceId(20, 2);
        var c = new TraceId(30, 3);
        var expected = new Dictionary<TraceId, List<ulong>> { [a] = [], [b] = [], [c] = [] };
        for (var round = 0; round < 40; round++)
        {
            // Each round sends one new span of every trace and repeats one already held, in varying order.
            foreach (var traceId in round % 2 == 0 ? new[] { b, a, c } : new[] { c, a, b })
            {
                var spanId = 100 + (ulong)round;
                Assert.Equal(1, index.Add(TestBatches.Create(traceId, 1, firstSpanId: spanId)));
                expected[traceId].Add(spanId);
                Assert.Equal(1, index.Add(TestBatches.Create(traceId, 1, firstSpanId: 100 + (ulong)(round / 2))));
            }
        }

        Assert.Equal([b, a, c], index.TraceIds());
        Assert.Equal(3, index.TraceCount);
        Assert.Equal(240, index.SpanCount);
        foreach (var (traceId, spanIds) in expected)
        {
            var found = new List<SpanRef>();
            index.CollectTrace(traceId, found);
            Assert.Equal(spanIds, found.Select(s => s.Row.SpanId.Value));
            Assert.All(found, s => Assert.Equal(traceId, s.Row.TraceId));
            Assert.Equal(80, index.SpanCountOf(traceId));
        }

        Assert.Equal(0, index.SpanCountOf(new TraceId(40, 4)));
        Assert.False(index.Contains(new TraceId(40, 4)));
        var all = index.AllSpans();
        Assert.Equal(120, all.Count);
        Assert.Equal(120, all.Select(s => (s.Row.TraceId, s.Row.SpanId)).Distinct().Count());
        var (complete, live) = index.SplitByIdle(TimeSpan.Zero);
        Assert.Equal(240, complete.SpanCount);
        Assert.Equal(3, complete.TraceCount);
        Assert.Equal(0, live.SpanCount);
        Assert.Equal(120, index.SpansOf(complete).Count);
        (complete, live) = index.SplitByIdle(TimeSpan.FromHours(1));
        Assert.Equal(0, complete.TraceCount);
        Assert.Equal(all.Select(s => (s.Row.TraceId, s.Row.SpanId)), index.SpansOf(live).Select(s => (s.Row.TraceId, s.Row.SpanId)));

        // A selection of some traces gives exactly their spans, trace after trace, each in arrival order.
        // Traces are selected in order of first arrival: b, a, c.
        var some = new TraceSelection();
        some.Add(live.Traces[2].Slot, live.Traces[2].Spans);
        some.Add(live.Traces[0].Slot, live.Traces[0].Spans);
        Assert.Equal(160, some.SpanCount);
        Assert.Equal(expected[c].Concat(expected[b]), index.SpansOf(some).Select(s => s.Row.SpanId.Value));
    }

    [Fact]
    public async Task Add_ConcurrentWritersAndReaders_ReadEverySpanOnce()
    {
        var index = new InMemoryTraceIndex();
        const int Writers = 16;
        const int BatchesPerWriter = 50;
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            var found = new List<SpanRef>();
            var reads = 0;
            do
            {
                found.Clear();
                index.CollectTrace(new TraceId(0, 1), found);
                Assert.True(found.Count <= 10);
                reads++;
            }
            while (!stop.IsCancellationRequested);

            return reads;
        });

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(() =>
        {
            for (var b = 0; b < BatchesPerWriter; b++)
            {
                // Every writer sends the shared trace too, so the same spans race in from many threads.
                index.Add(TestBatches.Create(new TraceId(0, 1), 10));
                index.Add(TestBatches.Create(new TraceId((ulong)w + 1, (ulong)b), 3));
            }
        })));
        await stop.CancelAsync();

        Assert.True(await reader > 0);
        Assert.Equal(Writers * BatchesPerWriter * (10 + 3), index.SpanCount);
        Assert.Equal(1 + (Writers * BatchesPerWriter), index.TraceCount);
        Assert.Equal(10 + (Writers * BatchesPerWriter * 3), index.AllSpans().Count);
        var shared = new List<SpanRef>();
        index.CollectTrace(new TraceId(0, 1), shared);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (ulong)i), shared.Select(s => s.Row.SpanId.Value).Order());
    }
}
