using Ariadne.Analysis.Traces;
using Ariadne.Model;

namespace Ariadne.Analysis.Tests.Traces;

public sealed class ClockSkewAdjustmentTests
{
    private const long Ms = (long)TraceBuilder.Ms;

    [Fact]
    public void Compute_ChildOnAnotherResourceStartsBeforeParent_IsCentredInTheParent()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "GET /", 100, 200)
            .Span(2, 1, "db", "query", 80, 140);
        var skew = ClockSkewAdjustment.Compute(trace.Tree());

        // Parent 100 ms, child 60 ms: 20 ms of latency each way puts the child at 120.
        Assert.Equal(40 * Ms, skew.DeltaOf(trace.Index(2)));
        Assert.Equal(TraceBuilder.At(120), skew.AdjustedStartOf(trace.Index(2)));
        Assert.Equal(TraceBuilder.At(180), skew.AdjustedEnds[trace.Index(2)]);
        var warning = Assert.Single(skew.Warnings);
        Assert.Equal(new SpanId(2), warning.SpanId);
        Assert.True(warning.Applied);
        Assert.StartsWith("clock skew adjustment of 40ms applied", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_ChildOnAnotherResourceEndsAfterParent_IsMovedEarlier()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "GET /", 100, 200)
            .Span(2, 1, "db", "query", 170, 230);
        var skew = ClockSkewAdjustment.Compute(trace.Tree());

        Assert.Equal(-50 * Ms, skew.DeltaOf(trace.Index(2)));
        Assert.Equal(TraceBuilder.At(120), skew.AdjustedStartOf(trace.Index(2)));
        Assert.StartsWith("clock skew adjustment of -50ms applied", Assert.Single(skew.Warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_ChildLongerThanParentStartingBefore_StartsAreAligned()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "GET /", 100, 200)
            .Span(2, 1, "queue", "process", 50, 300);
        var skew = ClockSkewAdjustment.Compute(trace.Tree());

        Assert.Equal(50 * Ms, skew.DeltaOf(trace.Index(2)));
        Assert.Equal(TraceBuilder.At(100), skew.AdjustedStartOf(trace.Index(2)));
        Assert.Equal(TraceBuilder.At(350), skew.AdjustedEnds[trace.Index(2)]);
    }

    [Fact]
    public void Compute_ChildLongerThanParentStartingInside_IsLeftAlone()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "GET /", 100, 200)
            .Span(2, 1, "queue", "process", 150, 400);
        var skew = ClockSkewAdjustment.Compute(trace.Tree());

        Assert.Equal(0, skew.DeltaOf(trace.Index(2)));
        Assert.Empty(skew.Warnings);
    }

    [Fact]
    public void Compute_NestedSubtree_MovesWithItsRootAndAThirdResourceIsComparedAgain()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "GET /", 100, 200)
            .Span(2, 1, "orders", "get", 0, 60)
            .Span(3, 2, "orders", "load", 10, 50)
            .Span(4, 3, "db", "select", 0, 20)
            .Span(5, 3, "cache", "get", 1000, 1010, host: "");
        var skew = ClockSkewAdjustment.Compute(trace.Tree());

        // orders: centred in api (20 ms each side) → +120; load moves with it to [130, 170].
        Assert.Equal(120 * Ms, skew.DeltaOf(trace.Index(2)));
        Assert.Equal(120 * Ms, skew.DeltaOf(trace.Index(3)));
        Assert.Equal(TraceBuilder.At(130), skew.AdjustedStartOf(trace.Index(3)));

        // db is compared with load's adjusted times: 40 ms vs 20 ms → starts at 140.
        Assert.Equal(140 * Ms, skew.DeltaOf(trace.Index(4)));
        Assert.Equal(TraceBuilder.At(140), skew.AdjustedStartOf(trace.Index(4)));

        // cache: 10 ms in a 40 ms parent → 15 ms each side → 145.
        Assert.Equal(TraceBuilder.At(145), skew.AdjustedStartOf(trace.Index(5)));

        Assert.Equal([2UL, 3UL, 4UL, 5UL], skew.Warnings.Select(w => w.SpanId.Value).ToArray());
        Assert.Contains("with span 0000000000000002 on the same resource", skew.Warnings[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_ChildOnTheSameResource_IsNeverMoved()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "GET /", 100, 200)
            .Span(2, 1, "api", "early", 80, 140);
        var skew = ClockSkewAdjustment.Compute(trace.Tree());

        Assert.Equal(0, skew.DeltaOf(trace.Index(2)));
        Assert.Empty(skew.Warnings);
    }

    [Fact]
    public void Compute_SameServiceOnAnotherHost_IsAnotherClock()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "GET /", 100, 200, host: "a")
            .Span(2, 1, "api", "GET /inner", 80, 140, host: "b");
        var skew = ClockSkewAdjustment.Compute(trace.Tree());

        Assert.Equal(40 * Ms, skew.DeltaOf(trace.Index(2)));
    }

    [Fact]
    public void Compute_DeltaAboveTheLimit_IsReportedButNotApplied()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "GET /", 100, 200)
            .Span(2, 1, "db", "query", 80, 140)
            .Span(3, 2, "db", "fetch", 90, 100);
        var skew = ClockSkewAdjustment.Compute(trace.Tree(), maxDeltaNanos: 10 * Ms);

        Assert.Equal(0, skew.DeltaOf(trace.Index(2)));
        Assert.Equal(0, skew.DeltaOf(trace.Index(3)));
        var warning = Assert.Single(skew.Warnings);
        Assert.False(warning.Applied);
        Assert.Equal(40 * Ms, warning.DeltaNanos);
        Assert.Equal("max clock skew adjustment delta of 10ms exceeded; not applying calculated delta of 40ms", warning.Message);
    }

    [Fact]
    public void Compute_Always_LeavesTheTraceUnchanged()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "GET /", 100, 200)
            .Span(2, 1, "db", "query", 80, 140);
        var before = trace.Batch.Spans.Rows.ToArray();

        var skew = ClockSkewAdjustment.Compute(trace.Tree());

        Assert.True(skew.IsAdjusted(trace.Index(2)));
        Assert.Equal(before, trace.Batch.Spans.Rows.ToArray());
    }

    [Fact]
    public void Compute_OrphanAndRoot_AreNotMoved()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "GET /", 100, 200)
            .Span(2, 0x55, "db", "query", 0, 500);
        var skew = ClockSkewAdjustment.Compute(trace.Tree());

        Assert.Equal(0, skew.DeltaOf(0));
        Assert.Equal(0, skew.DeltaOf(1));
        Assert.Empty(skew.Warnings);
    }

    [Theory]
    [InlineData(0L, "0ns")]
    [InlineData(999L, "999ns")]
    [InlineData(1_500L, "1.5µs")]
    [InlineData(-40_000_000L, "-40ms")]
    [InlineData(2_250_000_000L, "2.25s")]
    public void Format_Duration_ReadsLikeGo(long nanos, string expected)
    {
        Assert.Equal(expected, Durations.Format(nanos));
    }
}
