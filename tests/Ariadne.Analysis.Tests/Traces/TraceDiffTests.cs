using Ariadne.Analysis.Traces;

namespace Ariadne.Analysis.Tests.Traces;

public sealed class TraceDiffTests
{
    private const ulong Ms = TraceBuilder.Ms;

    /// <summary>The "normal" trace of the trace-comparison example: 200 ms, three services called in turn.</summary>
    private static TraceBuilder Normal(double dbEndMs = 140) => new TraceBuilder(0x1)
        .Span(1, 0, "gateway", "GET /order", 0, 200)
        .Span(2, 1, "service-a", "A", 0, 50)
        .Span(3, 2, "cache", "Cache HIT", 10, 15)
        .Span(4, 1, "service-b", "B", 50, 150)
        .Span(5, 4, "db", "DB Query", 60, dbEndMs)
        .Span(6, 1, "service-c", "C", 150, 200);

    /// <summary>Its "slow" twin: 5000 ms, a cache miss, and service B retrying three times.</summary>
    private static TraceBuilder Slow() => new TraceBuilder(0x2)
        .Span(11, 0, "gateway", "GET /order", 0, 5000)
        .Span(12, 11, "service-a", "A", 0, 50)
        .Span(13, 12, "cache", "Cache MISS", 10, 15)
        .Span(14, 11, "service-b", "B", 50, 4850)
        .Span(15, 14, "db", "DB Query", 60, 140)
        .Span(16, 14, "service-b", "Retry", 140, 1640, error: true)
        .Span(17, 14, "service-b", "Retry", 1640, 3140, error: true)
        .Span(18, 14, "service-b", "Retry", 3140, 4640)
        .Span(19, 11, "service-c", "C", 4850, 4900);

    [Fact]
    public void Compare_NormalAndSlow_ReportsDeltasMissingAndAddedInTreeOrder()
    {
        var diff = TraceDiff.Compare(Normal().Tree(), Slow().Tree());

        Assert.Equal(
            [
                "1 -1 gateway/GET /order Matched 1/1 200/5000",
                "2 0 service-a/A Matched 1/1 50/50",
                "3 1 cache/Cache HIT Missing 1/0 5/0",
                "3 1 cache/Cache MISS Added 0/1 0/5",
                "2 0 service-b/B Matched 1/1 100/4800",
                "3 4 db/DB Query Matched 1/1 80/80",
                "3 4 service-b/Retry Added 0/3 0/4500",
                "2 0 service-c/C Matched 1/1 50/50",
            ],
            diff.Nodes.Select(Describe).ToArray());
        Assert.Equal(4800 * (long)Ms, diff.DeltaDurationNanos);
        Assert.Equal(4700 * (long)Ms, diff.Nodes[4].DeltaTotalNanos);
        Assert.Equal(1500 * Ms, diff.Nodes[6].MeanNanosB);
        Assert.Equal(0, diff.Nodes[6].DeltaMeanNanos);
        Assert.Equal((5, 1, 2), (diff.MatchedCount, diff.MissingCount, diff.AddedCount));
        Assert.Equal(Enumerable.Range(0, 8), diff.Nodes.Select(n => n.Index));
    }

    [Fact]
    public void Compare_SameShapeOneSpanSlower_OnlyThatSpanAndItsAncestorsChangeUnlessTheyHaveSlack()
    {
        var diff = TraceDiff.Compare(Normal().Tree(), Normal(dbEndMs: 145).Tree());

        Assert.All(diff.Nodes, n => Assert.Equal(TraceDiffStatus.Matched, n.Status));
        var db = Assert.Single(diff.Nodes, n => n.Operation == "DB Query");
        Assert.Equal(5 * (long)Ms, db.DeltaTotalNanos);
        Assert.Equal(5 * (long)Ms, db.DeltaMeanNanos);
        var pair = Assert.Single(db.Pairs);
        Assert.Equal((80 * Ms, 85 * Ms, 5 * (long)Ms), (pair.DurationNanosA, pair.DurationNanosB, pair.DeltaNanos));
        Assert.All(diff.Nodes.Where(n => n.Operation != "DB Query"), n => Assert.Equal(0, n.DeltaTotalNanos));
        Assert.Equal(0, diff.DeltaDurationNanos);
    }

    [Fact]
    public void Compare_RetriedCall_AttemptsArePairedInStartOrder()
    {
        var once = new TraceBuilder(0x1)
            .Span(1, 0, "api", "pay", 0, 100)
            .Span(2, 1, "bank", "charge", 10, 60);
        var thrice = new TraceBuilder(0x2)
            .Span(9, 0, "api", "pay", 0, 300)
            .Span(8, 9, "bank", "charge", 200, 290)
            .Span(7, 9, "bank", "charge", 10, 100, error: true)
            .Span(6, 9, "bank", "charge", 100, 200, error: true);
        var diff = TraceDiff.Compare(once.Tree(), thrice.Tree());

        var charge = diff.Nodes[1];
        Assert.Equal((1, 3, TraceDiffStatus.Matched), (charge.CountA, charge.CountB, charge.Status));
        Assert.Equal(
            [(2UL, 7UL, 40L * (long)Ms), (0UL, 6UL, 0L), (0UL, 8UL, 0L)],
            charge.Pairs.Select(p => (p.SpanIdA.Value, p.SpanIdB.Value, p.DeltaNanos)).ToArray());
        Assert.Equal([-1, -1], charge.Pairs.Skip(1).Select(p => p.SpanA).ToArray());
        Assert.Equal(280 * Ms, charge.TotalNanosB);
        Assert.Equal((long)(93_333_333 - 50 * Ms), charge.DeltaMeanNanos);
    }

    [Fact]
    public void Compare_ChildrenOfMissingNode_AreMissingToo()
    {
        var a = new TraceBuilder(0x1)
            .Span(1, 0, "api", "root", 0, 100)
            .Span(2, 1, "legacy", "call", 10, 50)
            .Span(3, 2, "legacy-db", "q", 20, 30);
        var b = new TraceBuilder(0x2).Span(1, 0, "api", "root", 0, 60);
        var diff = TraceDiff.Compare(a.Tree(), b.Tree());

        Assert.Equal(
            ["1 -1 api/root Matched 1/1 100/60", "2 0 legacy/call Missing 1/0 40/0", "3 1 legacy-db/q Missing 1/0 10/0"],
            diff.Nodes.Select(Describe).ToArray());
        Assert.Equal((1, 2, 0), (diff.MatchedCount, diff.MissingCount, diff.AddedCount));
    }

    [Fact]
    public void Compare_DifferentRoots_AreTwoTopLevelNodes()
    {
        var a = new TraceBuilder(0x1).Span(1, 0, "api", "GET /a", 0, 10);
        var b = new TraceBuilder(0x2).Span(1, 0, "api", "GET /b", 0, 10);
        var diff = TraceDiff.Compare(a.Tree(), b.Tree());

        Assert.Equal(["1 -1 api/GET /a Missing 1/0 10/0", "1 -1 api/GET /b Added 0/1 0/10"], diff.Nodes.Select(Describe).ToArray());
    }

    [Fact]
    public void Compare_SpansInAnotherRowOrder_GivesTheSameNodes()
    {
        var slow = Slow();
        var shuffled = new TraceBuilder(0x2);
        var rows = slow.Batch.Spans.Rows.ToArray();
        foreach (var index in new[] { 8, 3, 6, 0, 5, 1, 7, 2, 4 })
        {
            var row = rows[index];
            shuffled.Span(row.SpanId.Value, row.ParentSpanId.Value, slow.Tree().ServiceOf(index), slow.Batch.GetString(row.Name),
                (row.StartTimeUnixNano - TraceBuilder.Base) / (double)Ms, (row.EndTimeUnixNano - TraceBuilder.Base) / (double)Ms);
        }

        var expected = TraceDiff.Compare(Normal().Tree(), slow.Tree()).Nodes.Select(Describe).ToArray();
        var actual = TraceDiff.Compare(Normal().Tree(), shuffled.Tree()).Nodes.Select(Describe).ToArray();

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Compare_TraceWithItself_HasNoDelta()
    {
        var diff = TraceDiff.Compare(Slow().Tree(), Slow().Tree());

        Assert.All(diff.Nodes, n => Assert.Equal((TraceDiffStatus.Matched, 0L), (n.Status, n.DeltaTotalNanos)));
        Assert.Equal(7, diff.Nodes.Count);
    }

    private static string Describe(TraceDiffNode n) =>
        $"{n.Depth} {n.Parent} {n.Service}/{n.Operation} {n.Status} {n.CountA}/{n.CountB} {n.TotalNanosA / Ms}/{n.TotalNanosB / Ms}";
}
