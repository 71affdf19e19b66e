using Ariadne.Analysis.Traces;
using Ariadne.Model;

namespace Ariadne.Analysis.Tests.Traces;

public sealed class SpanTreeTests
{
    [Fact]
    public void Build_ChildrenListedOutOfOrder_AreInStartOrderUnderTheirParent()
    {
        var trace = new TraceBuilder()
            .Span(3, 1, "api", "second", 40, 60)
            .Span(1, 0, "api", "root", 0, 100)
            .Span(2, 1, "api", "first", 10, 30)
            .Span(4, 2, "db", "query", 12, 20);
        var tree = trace.Tree();

        Assert.Equal([trace.Index(2), trace.Index(3)], tree.ChildrenOf(trace.Index(1)).ToArray());
        Assert.Equal(trace.Index(2), tree.ParentOf(trace.Index(4)));
        Assert.Equal(-1, tree.ParentOf(trace.Index(1)));
        Assert.Equal([trace.Index(1), trace.Index(2), trace.Index(4), trace.Index(3)], tree.PreOrder.ToArray());
        Assert.Equal(3, tree.Depth);
        Assert.Equal(3, tree.DepthOf(trace.Index(4)));
        Assert.Equal(trace.Index(1), tree.PrimaryRoot);
        Assert.Equal(1, tree.RootCount);
        Assert.Empty(tree.Orphans);
    }

    [Fact]
    public void Build_ParentNeverArrived_SpanIsAnOrphanWithTheMissingParentId()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "root", 0, 100)
            .Span(2, 1, "api", "publish", 10, 20)
            .Span(3, 0x77, "worker", "consume", 30, 80)
            .Span(4, 3, "worker", "store", 40, 70);
        var tree = trace.Tree();

        var orphan = Assert.Single(tree.Orphans);
        Assert.Equal(new OrphanSpan(trace.Index(3), new SpanId(3), new SpanId(0x77), false), orphan);
        Assert.Equal([trace.Index(1), trace.Index(3)], tree.TopLevel.ToArray());
        Assert.Equal(1, tree.RootCount);
        Assert.Equal(trace.Index(1), tree.PrimaryRoot);
        Assert.Equal(2, tree.DepthOf(trace.Index(4)));
    }

    [Fact]
    public void Build_TwoRoots_BothAreTopLevelAndTheEarliestIsPrimary()
    {
        var trace = new TraceBuilder()
            .Span(1, 0, "api", "late root", 50, 90)
            .Span(2, 0, "cron", "early root", 0, 30)
            .Span(3, 2, "cron", "job", 5, 25);
        var tree = trace.Tree();

        Assert.Equal(2, tree.RootCount);
        Assert.Equal([trace.Index(2), trace.Index(1)], tree.TopLevel.ToArray());
        Assert.Equal(trace.Index(2), tree.PrimaryRoot);
    }

    [Fact]
    public void Build_OnlyOrphans_EarliestOrphanIsPrimary()
    {
        var trace = new TraceBuilder()
            .Span(1, 0x90, "api", "b", 20, 30)
            .Span(2, 0x91, "api", "a", 10, 30);
        var tree = trace.Tree();

        Assert.Equal(0, tree.RootCount);
        Assert.Equal(2, tree.Orphans.Count);
        Assert.Equal(trace.Index(2), tree.PrimaryRoot);
    }

    [Fact]
    public void Build_ParentLinksFormALoop_LoopIsCutAndReported()
    {
        var trace = new TraceBuilder()
            .Span(1, 2, "api", "a", 0, 10)
            .Span(2, 1, "api", "b", 1, 9)
            .Span(3, 3, "api", "self", 2, 3);
        var tree = trace.Tree();

        Assert.Equal(2, tree.Orphans.Count);
        Assert.All(tree.Orphans, o => Assert.True(o.InCycle));
        Assert.Equal(3, tree.PreOrder.Length);
        Assert.Equal(2, tree.Depth);
    }

    [Fact]
    public void Build_EmptyTrace_HasNoRootAndDepthZero()
    {
        var tree = new TraceBuilder().Tree();

        Assert.Equal(0, tree.Count);
        Assert.Equal(-1, tree.PrimaryRoot);
        Assert.Equal(0, tree.Depth);
    }

    [Fact]
    public void ResourceKey_SameAttributesInTwoResourceRows_IsEqual()
    {
        var trace = new TraceBuilder().Span(1, 0, "api", "root", 0, 10).Span(2, 1, "db", "q", 1, 2);
        var batch = trace.Batch;

        // A second copy of api's resource, as a trace assembled from two batches carries.
        var copy = batch.Resources.Add(batch.Resources[batch.Scopes[batch.Spans[0].ScopeIndex].ResourceIndex]);
        var scope = batch.Scopes.Add(new ScopeRow { ResourceIndex = copy });
        var row = batch.Spans[0];
        row.SpanId = new SpanId(3);
        row.ParentSpanId = new SpanId(1);
        row.ScopeIndex = scope;
        batch.Spans.Add(row);
        var tree = SpanTree.Build(batch);

        Assert.Equal(tree.ResourceKeyOf(0), tree.ResourceKeyOf(2));
        Assert.NotEqual(tree.ResourceKeyOf(0), tree.ResourceKeyOf(1));
        Assert.Equal("api", tree.ServiceOf(2));
    }
}
