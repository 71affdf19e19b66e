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
        Assert.Equal(5, trace.Spans.Count);
        Assert.Equal(new ulong[] { 1, 2, 3, 10, 11 }, trace.Spans.Select(s => s.Row.SpanId.Value).Order());
        Assert.Equal("checkout", trace.Spans[0].Batch.GetString(trace.Spans[0].Batch.ServiceNameOf(trace.Spans[0].Row)));
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
        Assert.Equal(50UL, Assert.Single(late.Spans).Row.SpanId.Value);

        var due2 = await reopened.TakeDueAsync(5_000);
        Assert.Equal(Later, Assert.Single(due2).TraceId);
        Assert.Equal(5_000, due2[0].FirstArrivalUnixMilliseconds);
        Assert.Equal(2, due2[0].Spans.Count);
    }

    [Fact]
    public async Task Complete_DeletesSegmentsNoUndecidedTraceNeeds_AndKeepsTheRest()
    {
        using var directory = new TempDirectory();

        // Tiny segments: every append starts a new one.
        await using var buffer = await TraceBuffer.OpenAsync(directory.Path, segmentSizeBytes: 1);
        await buffer.AppendAsync(TestBatches.Create(Early, 3), 1_000);
        await buffer.AppendAsync(TestBatches.Create(Later, 3), 2_000);
        await buffer.AppendAsync(TestBatches.Create(Early, 1, firstSpanId: 9), 2_500);
        var sizeBefore = buffer.SizeBytes;
        Assert.Single(await buffer.TakeDueAsync(1_000));
        await buffer.CompleteAsync([(Early, false)]);

        // Segments are deleted oldest first up to the first one an undecided trace needs: Early's first
        // segment goes; Later's, and everything after it (Early's late span, the decisions), stays.
        var segments = Directory.GetFiles(directory.Path, IngestLog.SegmentPattern).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["00000000000000000001.wal", "00000000000000000002.wal", "00000000000000000003.wal"], segments);
        Assert.True(buffer.SizeBytes < sizeBefore);

        var due = await buffer.TakeDueAsync(2_000);
        Assert.Equal(3, Assert.Single(due).Spans.Count);
        await buffer.CompleteAsync([(Later, true)]);
        Assert.Equal(0, buffer.SpanCount);
        Assert.Equal(0, buffer.TraceCount);

        // Only the newest segment (the one being written) is left.
        Assert.Single(Directory.GetFiles(directory.Path, IngestLog.SegmentPattern));
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
        Assert.Equal(20UL, Assert.Single(late.Spans).Row.SpanId.Value);

        // A round that failed puts its traces back, with nothing lost.
        buffer.Return([late]);
        var again = Assert.Single(await buffer.TakeDueAsync(0));
        Assert.Equal(20UL, Assert.Single(again.Spans).Row.SpanId.Value);
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

    [Fact]
    public async Task ARecordDamagedOnDisk_IsCountedAndSkipped_TheTraceIsDecidedOnWhatCanBeRead()
    {
        using var directory = new TempDirectory();
        await using var buffer = await TraceBuffer.OpenAsync(directory.Path, segmentSizeBytes: 1);
        await buffer.AppendAsync(TestBatches.Create(Early, 2), 1_000);
        await buffer.AppendAsync(TestBatches.Create(Early, 1, firstSpanId: 7), 1_000);

        // Flip a byte in the middle of the first record's payload.
        var first = Directory.GetFiles(directory.Path, IngestLog.SegmentPattern).Order().First();
        var bytes = await File.ReadAllBytesAsync(first);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(first, bytes);

        var trace = Assert.Single(await buffer.TakeDueAsync(1_000));
        Assert.Equal(7UL, Assert.Single(trace.Spans).Row.SpanId.Value);
        Assert.Equal(1, buffer.UnreadableRecords);
    }
}
