using Ariadne.Model;
using Ariadne.Storage.Log;
using Ariadne.Storage.Tail;

namespace Ariadne.Storage.Tests.Tail;

public sealed class TraceBufferTests
{
    private static readonly TraceId Early = new(1, 1);
    private static readonly TraceId Later = new(2, 2);

    [Fact]
    public async Task TakeDue_ReturnsOnlyTracesPastTheCutoff_WholeAcrossRecords_EachSpanOnce()
    {
        using var directory = new TempDirectory();
        await using var buffer = await TraceBuffer.OpenAsync(directory.Path);
        await buffer.AppendAsync(TestBatches.Create(Early, 3, firstSpanId: 1), arrivalUnixMilliseconds: 1_000);
        await buffer.AppendAsync(TestBatches.Create(Later, 2, firstSpanId: 1), arrivalUnixMilliseconds: 5_000);
        await buffer.AppendAsync(TestBatches.Create(Early, 2, firstSpanId: 10), arrivalUnixMilliseconds: 6_000);
        await buffer.AppendAsync(TestBatches.Create(Early, 1, firstSpanId: 10), arrivalUnixMilliseconds: 6_500); // a retry
        Assert.Equal(2, buffer.TraceCount);
        Assert.Equal(8, buffer.SpanCount);

        var due = await buffer.TakeDueAsync(cutoffUnixMilliseconds: 2_000);

        var trace = Assert.Single(due);
        Assert.Equal(Early, trace.TraceId);
        Assert.Equal(1_000, trace.FirstArrivalUnixMilliseconds);
        Assert.Equal(5, trace.Spans.SpanCount);
        Assert.Equal(new ulong[] { 1, 2, 3, 10, 11 }, trace.Spans.Spans.Rows.ToArray().Select(s => s.SpanId.Value).Order());
        Assert.Equal("checkout", trace.Spans.GetString(trace.Spans.ServiceNameOf(trace.Spans.Spans[0])));
        Assert.Empty(await buffer.TakeDueAsync(cutoffUnixMilliseconds: 2_000));
    }

    [Fact]
    public async Task Reopen_RebuildsUndecidedTracesWithTheirArrivalTimes_AndDecisions()
    {
        using var directory = new TempDirectory();
        await using (var buffer = await TraceBuffer.OpenAsync(directory.Path))
        {
            await buffer.AppendAsync(TestBatches.Create(Early, 3), 1_000);
            await buffer.AppendAsync(TestBatches.Create(Later, 2), 5_000);
            var due = await buffer.TakeDueAsync(2_000);
            Assert.Single(due);

            // Logged while Early is being decided: acknowledged, so it must survive as following the decision.
            await buffer.AppendAsync(TestBatches.Create(Early, 1, firstSpanId: 50), 5_500);
            await buffer.CompleteAsync([(Early, true)]);
        }

        await using var reopened = await TraceBuffer.OpenAsync(directory.Path);
        Assert.Equal([(Early, true)], reopened.ReplayedDecisions);
        Assert.Equal(2, reopened.TraceCount);

        var late = Assert.Single(await reopened.TakeDueAsync(4_999));
        Assert.Equal(Early, late.TraceId);
        Assert.True(late.FollowsDecision);
        Assert.Equal(50UL, Assert.Single(late.Spans.Spans.Rows.ToArray()).SpanId.Value);

        var due2 = await reopened.TakeDueAsync(5_000);
        Assert.Equal(Later, Assert.Single(due2).TraceId);
        Assert.Equal(5_000, due2[0].FirstArrivalUnixMilliseconds);
        Assert.Equal(2, due2[0].Spans.SpanCount);
    }

    [Fact]
    public async Task Complete_DeletesSegmentsNoUndecidedTraceNeeds_AndKeepsTheRest()
    {
        using var directory = new TempDirectory();
        await using var buffer = await TraceBuffer.OpenAsync(directory.Path);
        await buffer.AppendAsync(TestBatches.Create(Early, 3), 1_000);
        var first = await buffer.TakeDueAsync(1_000); // rolls: the record above is in a closed segment
        await buffer.AppendAsync(TestBatches.Create(Later, 3), 2_000);
        await buffer.CompleteAsync([(Early, false)]);

        // The first segment held only the decided trace.
        var segments = Directory.GetFiles(directory.Path, IngestLog.SegmentPattern);
        Assert.Single(first);
        Assert.DoesNotContain(segments, s => Path.GetFileName(s).StartsWith("00000000000000000000", StringComparison.Ordinal));

        var due = await buffer.TakeDueAsync(2_000);
        Assert.Equal(3, Assert.Single(due).Spans.SpanCount);
        await buffer.CompleteAsync([(Later, true)]);
        Assert.Equal(0, buffer.SpanCount);
        Assert.Equal(0, buffer.TraceCount);
    }

    [Fact]
    public async Task SpansArrivingWhileATraceIsDecided_FollowTheDecision_AndReturnRestoresUndecided()
    {
        using var directory = new TempDirectory();
        await using var buffer = await TraceBuffer.OpenAsync(directory.Path);
        await buffer.AppendAsync(TestBatches.Create(Early, 2), 1_000);
        var due = await buffer.TakeDueAsync(1_000);
        await buffer.AppendAsync(TestBatches.Create(Early, 1, firstSpanId: 20), 3_000);
        await buffer.CompleteAsync([(Early, true)]);
        var late = Assert.Single(await buffer.TakeDueAsync(0));
        Assert.True(late.FollowsDecision);
        Assert.Equal(1, late.Spans.SpanCount);

        // A round that failed puts its traces back, with nothing lost.
        buffer.Return([late]);
        var again = Assert.Single(await buffer.TakeDueAsync(0));
        Assert.Equal(1, again.Spans.SpanCount);
        Assert.Single(due);
    }

    [Fact]
    public async Task MoreUndecidedTracesThanAllowed_TheOldestAreTakenEarly()
    {
        using var directory = new TempDirectory();
        await using var buffer = await TraceBuffer.OpenAsync(directory.Path);
        for (var i = 1; i <= 5; i++)
        {
            await buffer.AppendAsync(TestBatches.Create(new TraceId(0, (ulong)i), 1), 1_000 * i);
        }

        var due = await buffer.TakeDueAsync(cutoffUnixMilliseconds: 0, maxUndecided: 3);

        Assert.Equal([new TraceId(0, 1), new TraceId(0, 2)], due.Select(t => t.TraceId).Order());
        Assert.All(due, t => Assert.True(t.DecidedEarly));
        Assert.Equal(5, buffer.TraceCount);
    }
}
