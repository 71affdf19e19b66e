using Ariadne.Analysis.Traces;

namespace Ariadne.Analysis.Tests.Traces;

public sealed class CriticalPathTests
{
    private const ulong Ms = TraceBuilder.Ms;

    [Fact]
    public void Compute_ChildrenInSequence_EachChildAndTheGapsAreOnThePath()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "root", 0, 100)
            .Span(2, 1, "auth", "check", 10, 40)
            .Span(3, 1, "db", "load", 40, 90);
        var path = CriticalPath.Compute(trace.Tree());

        AssertSegments(trace, path, (1, 0, 10), (2, 10, 40), (3, 40, 90), (1, 90, 100));
        Assert.Equal(100 * Ms, path.TotalNanos);
        Assert.Equal(20 * Ms, path.CriticalNanosOf(trace.Index(1)));
        Assert.Equal(0.5, path.ShareOf(trace.Index(3)));
        Assert.Equal(0.3, path.ShareOf(trace.Index(2)), 10);
        Assert.Equal(20 * Ms, path.SelfNanosOf(trace.Index(1)));
        Assert.Equal(50 * Ms, path.SelfNanosOf(trace.Index(3)));
    }

    [Fact]
    public void Compute_ChildrenInParallel_OnlyTheLastToFinishIsOnThePath()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "root", 0, 100)
            .Span(2, 1, "inventory", "reserve", 10, 80)
            .Span(3, 1, "pricing", "quote", 20, 60)
            .Span(4, 1, "fraud", "score", 30, 95);
        var tree = trace.Tree();
        var path = CriticalPath.Compute(tree);

        // fraud ends last; the others started before it did, so they overlap it and are not waited for.
        AssertSegments(trace, path, (1, 0, 30), (4, 30, 95), (1, 95, 100));
        Assert.Equal(0UL, path.CriticalNanosOf(trace.Index(2)));
        Assert.Equal(0UL, path.CriticalNanosOf(trace.Index(3)));
        Assert.Equal(15 * Ms, path.SelfNanosOf(trace.Index(1)));
    }

    [Fact]
    public void Compute_NestedCalls_PathDescendsIntoGrandchildren()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "root", 0, 100)
            .Span(2, 1, "orders", "get", 10, 70)
            .Span(3, 2, "db", "select", 20, 30)
            .Span(4, 2, "cache", "set", 35, 60)
            .Span(5, 1, "mail", "send", 20, 50);
        var path = CriticalPath.Compute(trace.Tree());

        AssertSegments(trace, path, (1, 0, 10), (2, 10, 20), (3, 20, 30), (2, 30, 35), (4, 35, 60), (2, 60, 70), (1, 70, 100));
        Assert.Equal(25 * Ms, path.SelfNanosOf(trace.Index(2)));
        Assert.Equal(0UL, path.CriticalNanosOf(trace.Index(5)));
    }

    [Fact]
    public void Compute_Retries_EveryAttemptInSequenceIsOnThePath()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "pay", 0, 100)
            .Span(2, 1, "bank", "charge", 5, 30, error: true)
            .Span(3, 1, "bank", "charge", 30, 60, error: true)
            .Span(4, 1, "bank", "charge", 60, 95);
        var path = CriticalPath.Compute(trace.Tree());

        AssertSegments(trace, path, (1, 0, 5), (2, 5, 30), (3, 30, 60), (4, 60, 95), (1, 95, 100));
        Assert.Equal(0.35, path.ShareOf(trace.Index(4)), 10);
        Assert.Equal(10 * Ms, path.SelfNanosOf(trace.Index(1)));
    }

    [Fact]
    public void Compute_ChildOutlivesParent_ChildIsClippedAndSpansOutsideAreLeftOut()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "root", 0, 100)
            .Span(2, 1, "queue", "publish", 50, 150)
            .Span(3, 2, "worker", "late", 120, 140)
            .Span(4, 1, "audit", "after", 110, 130);
        var tree = trace.Tree();
        var path = CriticalPath.Compute(tree);

        AssertSegments(trace, path, (1, 0, 50), (2, 50, 100));
        Assert.Equal(100 * Ms, path.TotalNanos);
        Assert.Equal(50 * Ms, path.SelfNanosOf(trace.Index(1)));
        Assert.Equal(80 * Ms, path.SelfNanosOf(trace.Index(2)));
    }

    [Fact]
    public void Compute_ZeroDurationSpans_AddNoTimeAndDoNotStopTheWalk()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "root", 0, 100)
            .Span(2, 1, "api", "mark", 50, 50)
            .Span(3, 1, "db", "query", 60, 90)
            .Span(4, 1, "api", "mark at end", 100, 100);
        var path = CriticalPath.Compute(trace.Tree());

        AssertSegments(trace, path, (1, 0, 60), (3, 60, 90), (1, 90, 100));
        Assert.Equal(0UL, path.CriticalNanosOf(trace.Index(2)));
        Assert.Equal(0UL, path.SelfNanosOf(trace.Index(2)));
        Assert.Equal(0.0, path.ShareOf(trace.Index(4)));
    }

    [Fact]
    public void Compute_SingleSpan_IsTheWholePath()
    {
        var trace = new TraceBuilder().Span(1, 0, "api", "ping", 0, 7);
        var path = CriticalPath.Compute(trace.Tree());

        AssertSegments(trace, path, (1, 0, 7));
        Assert.Equal(1.0, path.ShareOf(0));
        Assert.Equal(7 * Ms, path.SelfNanosOf(0));
    }

    [Fact]
    public void Compute_SingleZeroDurationSpan_HasAnEmptyPath()
    {
        var trace = new TraceBuilder().Span(1, 0, "api", "ping", 3, 3);
        var path = CriticalPath.Compute(trace.Tree());

        Assert.Empty(path.Segments);
        Assert.Equal(0UL, path.TotalNanos);
        Assert.Equal(0.0, path.ShareOf(0));
    }

    [Fact]
    public void Compute_EmptyTrace_HasNoRoot()
    {
        var path = CriticalPath.Compute(new TraceBuilder().Tree());

        Assert.Equal(-1, path.Root);
        Assert.Empty(path.Segments);
    }

    [Fact]
    public void Compute_MultipleRootsAndOrphans_PathFollowsThePrimaryRootOnly()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "root", 0, 50)
            .Span(2, 1, "db", "q", 10, 20)
            .Span(3, 0, "cron", "other root", 30, 200)
            .Span(4, 0x99, "worker", "orphan", 40, 300);
        var path = CriticalPath.Compute(trace.Tree());

        AssertSegments(trace, path, (1, 0, 10), (2, 10, 20), (1, 20, 50));
        Assert.Equal(170 * Ms, path.SelfNanosOf(trace.Index(3)));
    }

    [Fact]
    public void SelfTime_OverlappingChildren_SubtractsTheirUnionOnce()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "root", 0, 100)
            .Span(2, 1, "a", "x", 10, 50)
            .Span(3, 1, "b", "y", 30, 70)
            .Span(4, 1, "c", "z", 90, 130);
        var path = CriticalPath.Compute(trace.Tree());

        Assert.Equal(30 * Ms, path.SelfNanosOf(trace.Index(1)));
    }

    [Fact]
    public void Compute_OverSkewAdjustedTimes_UsesTheAdjustedChild()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "root", 100, 200)
            .Span(2, 1, "db", "query", 80, 140);
        var adjusted = ClockSkewAdjustment.Compute(trace.Tree());
        var path = CriticalPath.Compute(adjusted);

        // Unadjusted, the child would be clipped to [100, 140]; centred it runs [120, 180].
        AssertSegments(trace, path, (1, 100, 120), (2, 120, 180), (1, 180, 200));
    }

    private static void AssertSegments(TraceBuilder trace, CriticalPath path, params (ulong Span, double Start, double End)[] expected)
    {
        var actual = path.Segments.Select(s => (trace.Batch.Spans[s.SpanIndex].SpanId.Value, s.StartUnixNano, s.EndUnixNano)).ToArray();
        Assert.Equal(expected.Select(e => (e.Span, TraceBuilder.At(e.Start), TraceBuilder.At(e.End))).ToArray(), actual);
        Assert.All(path.Segments, s => Assert.Equal(trace.Batch.Spans[s.SpanIndex].SpanId, s.SpanId));
    }
}
