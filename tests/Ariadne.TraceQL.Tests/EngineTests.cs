using System.Runtime.CompilerServices;
using Ariadne.Model;
using Ariadne.TraceQL.Ast;
using Ariadne.TraceQL.Engine;
using Ariadne.TraceQL.Fetch;

namespace Ariadne.TraceQL.Tests;

/// <summary>The search knobs around the query: limit and its cap, spans per spanset, time range, trace duration, cancellation and timeout.</summary>
public class EngineTests
{
    private static Task<SearchResponse> Search(string query, SearchRequest request, TraceQLEngine? engine = null) =>
        (engine ?? new TraceQLEngine()).SearchAsync(query, request, new InMemorySpansetFetcher([Fixture.Create()]), CancellationToken.None);

    private static string[] Letters(SearchResponse response) => [.. response.Traces.Select(t => Fixture.Letters[t.TraceId]).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Search_ErrorStatus_FindsTracesWithErrors()
    {
        Assert.Equal(["A", "C"], Letters(await Search("{ status = error }", new SearchRequest())));
    }

    [Fact]
    public async Task Search_Limit_ReturnsAtMostThatManyTraces_NewestFirst()
    {
        var response = await Search("{ }", new SearchRequest { Limit = 2 });
        Assert.Equal(2, response.Traces.Count);
        Assert.True(response.Traces[0].StartTimeUnixNano >= response.Traces[1].StartTimeUnixNano);
    }

    [Fact]
    public async Task Search_LimitAboveTheCap_IsCapped()
    {
        var response = await Search("{ }", new SearchRequest { Limit = 1_000_000 }, new TraceQLEngine { MaxLimit = 3 });
        Assert.Equal(3, response.Traces.Count);
    }

    [Fact]
    public async Task Search_SpansPerSpanSet_ReturnsThatManySpans_AndCountsAllMatches()
    {
        var response = await Search("{ resource.service.name = \"gateway\" }", new SearchRequest { SpansPerSpanSet = 2 });
        var spanset = Assert.Single(Assert.Single(response.Traces).SpanSets);
        Assert.Equal(2, spanset.Spans.Count);
        Assert.Equal(3, spanset.Matched);
        Assert.Equal(["GET /checkout", "cache get"], spanset.Spans.Select(s => s.Name));
    }

    [Fact]
    public async Task Search_DefaultSpansPerSpanSet_IsThree()
    {
        var response = await Search("{ }", new SearchRequest());
        var a = response.Traces.Single(t => t.TraceId == Fixture.A);
        Assert.Equal(3, Assert.Single(a.SpanSets).Spans.Count);
        Assert.Equal(5, a.SpanSets[0].Matched);
    }

    [Fact]
    public async Task Search_TimeRange_KeepsOnlyTracesOverlappingIt()
    {
        var request = new SearchRequest
        {
            StartUnixNanos = Fixture.Base + (1050 * Fixture.Ms),
            EndUnixNanos = Fixture.Base + (1900 * Fixture.Ms),
        };
        Assert.Equal(["B"], Letters(await Search("{ }", request)));
    }

    [Fact]
    public async Task Search_TraceDurationBounds_ApplyToTheWholeTrace()
    {
        Assert.Equal(["C"], Letters(await Search("{ }", new SearchRequest { MinTraceDurationNanos = 1_000 * (long)Fixture.Ms })));
        Assert.Equal(["B", "D"], Letters(await Search("{ }", new SearchRequest { MaxTraceDurationNanos = 100 * (long)Fixture.Ms })));
    }

    [Fact]
    public async Task Search_Summary_CarriesRootServiceStatsAndTheQueriedAttributes()
    {
        var response = await Search("{ span.http.status_code >= 500 } | select(resource.deployment.environment)", new SearchRequest());
        var a = Assert.Single(response.Traces);
        Assert.Equal("gateway", a.RootServiceName);
        Assert.Equal("GET /checkout", a.RootTraceName);
        Assert.Equal(500, a.DurationMs);
        Assert.Equal(Fixture.Base, a.StartTimeUnixNano);
        Assert.Equal(new ServiceStats(3, 1), a.ServiceStats["gateway"]);
        Assert.Equal(new ServiceStats(2, 1), a.ServiceStats["payments"]);
        var span = Assert.Single(Assert.Single(a.SpanSets).Spans);
        Assert.Equal("POST /pay", span.Name);
        Assert.Contains(("http.status_code", StaticValue.Int(502)), span.Attributes);
        Assert.Contains(("deployment.environment", StaticValue.String("production")), span.Attributes);
    }

    [Fact]
    public async Task Search_TraceWithoutItsRoot_SaysSoInsteadOfNamingALateSpan()
    {
        var d = Assert.Single((await Search("{ resource.service.name = \"orders\" }", new SearchRequest())).Traces);
        Assert.Equal(TraceQLEngine.RootNotYetReceived, d.RootServiceName);
        Assert.Equal(string.Empty, d.RootTraceName);
    }

    [Fact]
    public async Task Search_Cancelled_ThrowsOperationCanceled_NotATimeout()
    {
        using var cancel = new CancellationTokenSource();
        var search = new TraceQLEngine().SearchAsync("{ }", new SearchRequest(), new StallingFetcher(), cancel.Token);
        cancel.CancelAfter(50);
        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => search);
        Assert.IsNotType<TraceQLTimeoutException>(error);
    }

    [Fact]
    public async Task Search_SlowerThanTheTimeout_StopsWithATimeoutError()
    {
        var engine = new TraceQLEngine { Timeout = TimeSpan.FromMilliseconds(100) };
        var error = await Assert.ThrowsAsync<TraceQLTimeoutException>(() => engine.SearchAsync("{ }", new SearchRequest(), new StallingFetcher(), CancellationToken.None));
        Assert.Contains("0.1 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_InvalidQuery_ThrowsBeforeFetching()
    {
        var fetcher = new StallingFetcher();
        await Assert.ThrowsAsync<Syntax.TraceQLException>(() => new TraceQLEngine().SearchAsync("{ status = }", new SearchRequest(), fetcher, CancellationToken.None));
        Assert.False(fetcher.Called);
    }

    [Fact]
    public async Task Search_PushesTheQueryConditionsDownToTheFetcher()
    {
        var fetcher = new StallingFetcher { Stall = false };
        await new TraceQLEngine().SearchAsync("{ resource.service.name = \"payments\" && status = error && duration > 10ms }", new SearchRequest(), fetcher, CancellationToken.None);
        var request = Assert.IsType<FetchSpansRequest>(fetcher.Request);
        Assert.True(request.AllConditions);
        Assert.Equal(
            ["resource.service.name Equal \"payments\"", "status Equal error", "duration Greater 10ms"],
            request.Conditions.Select(c => c.ToString()));
    }

    /// <summary>Yields one trace, then waits until cancelled.</summary>
    private sealed class StallingFetcher : ISpansetFetcher
    {
        public bool Stall { get; init; } = true;

        public bool Called { get; private set; }

        public FetchSpansRequest? Request { get; private set; }

        public async IAsyncEnumerable<SpanBatch> FetchAsync(FetchSpansRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Called = true;
            Request = request;
            await foreach (var batch in new InMemorySpansetFetcher([Fixture.Create()]).FetchAsync(request, cancellationToken))
            {
                yield return batch;
                break;
            }

            if (Stall)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        }
    }
}
