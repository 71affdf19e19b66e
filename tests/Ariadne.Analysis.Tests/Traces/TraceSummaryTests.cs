using Ariadne.Analysis.Traces;

namespace Ariadne.Analysis.Tests.Traces;

public sealed class TraceSummaryTests
{
    [Fact]
    public void Compute_TraceAcrossServices_CountsSpansAndErrorsPerService()
    {
        var trace = new TraceBuilder()
            .Span(2, 1, "payments", "charge", 20, 90, error: true)
            .Span(1, 0, "frontend", "GET /checkout", 10, 100)
            .Span(3, 2, "payments", "retry", 30, 40, error: true)
            .Span(4, 1, "cart", "load", 12, 18)
            .Span(5, 0x42, "audit", "record", 95, 130);
        var summary = TraceSummary.Compute(trace.Tree());

        Assert.Equal(trace.TraceId, summary.TraceId);
        Assert.Equal(5, summary.SpanCount);
        Assert.Equal(2, summary.ErrorCount);
        Assert.Equal(
            [new ServiceSummary("audit", 1, 0), new ServiceSummary("cart", 1, 0), new ServiceSummary("frontend", 1, 0), new ServiceSummary("payments", 2, 2)],
            summary.Services.ToArray());
        Assert.Equal("frontend", summary.RootService);
        Assert.Equal("GET /checkout", summary.RootOperation);
        Assert.Equal(TraceBuilder.At(10), summary.StartUnixNano);
        Assert.Equal(TraceBuilder.At(130), summary.EndUnixNano);
        Assert.Equal(120 * TraceBuilder.Ms, summary.DurationNanos);
        Assert.Equal(3, summary.Depth);
        Assert.Equal(1, summary.RootCount);
        Assert.Equal(1, summary.OrphanCount);
    }

    [Fact]
    public void Compute_SingleSpan_IsItsOwnRoot()
    {
        var summary = TraceSummary.Compute(new TraceBuilder().Span(1, 0, "", "ping", 0, 0).Tree());

        Assert.Equal(1, summary.SpanCount);
        Assert.Equal(string.Empty, summary.RootService);
        Assert.Equal("ping", summary.RootOperation);
        Assert.Equal(0UL, summary.DurationNanos);
        Assert.Equal(1, summary.Depth);
        Assert.Equal([new ServiceSummary(string.Empty, 1, 0)], summary.Services.ToArray());
    }

    [Fact]
    public void Compute_EmptyTrace_IsAllZero()
    {
        var summary = TraceSummary.Compute(new TraceBuilder().Tree());

        Assert.Equal(0, summary.SpanCount);
        Assert.Equal(0UL, summary.StartUnixNano);
        Assert.Equal(0UL, summary.DurationNanos);
        Assert.Empty(summary.Services);
        Assert.Equal(string.Empty, summary.RootOperation);
    }
}
