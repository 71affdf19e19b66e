using Ariadne.Model;
using Ariadne.Server.Query;
using Ariadne.Server.Tests.Infrastructure;
using Ariadne.Storage;
using Ariadne.Storage.Search;
using Ariadne.TraceQL.Engine;
using Ariadne.TraceQL.Fetch;
using Ariadne.TraceQL.Tests;
using Ariadne.TraceQL.Tests.Corpus;

namespace Ariadne.Server.Tests.Query;

/// <summary>
/// The TraceQL corpus run through the store's fetcher, with the fixture split over a block and the head
/// (trace A across both): pushing the conditions down to storage never changes a query's answer.
/// </summary>
public sealed class StoreSpansetFetcherTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private SpanStore _store = null!;

    public static TheoryData<CorpusCase> Valid() => [.. CorpusCase.Load().Where(c => c.Error is null)];

    public async Task InitializeAsync()
    {
        _store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = _directory.Path });
        var fixture = Fixture.Create();
        var early = new SpanBatch();
        var late = new SpanBatch();
        var (earlyCopier, lateCopier) = (new SpanCopier(early), new SpanCopier(late));
        var seenOfA = 0;
        for (var i = 0; i < fixture.SpanCount; i++)
        {
            var id = fixture.Spans[i].TraceId;
            var toBlock = id == Fixture.B || (id == Fixture.A && seenOfA++ < 3);
            (toBlock ? earlyCopier : lateCopier).CopySpan(fixture, i);
        }

        await _store.AppendAsync(early);
        await _store.FlushAsync();
        await _store.AppendAsync(late);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public async Task Search_ThroughTheStore_FindsWhatEvaluatingEveryTraceFinds(CorpusCase corpusCase)
    {
        var engine = new TraceQLEngine();
        var request = new SearchRequest { Limit = 100 };
        var expected = await engine.SearchAsync(corpusCase.Query, request, new InMemorySpansetFetcher([Fixture.Create()]), CancellationToken.None);
        var actual = await engine.SearchAsync(corpusCase.Query, request, new StoreSpansetFetcher(_store), CancellationToken.None);
        Assert.Equal(Letters(expected), Letters(actual));
        if (corpusCase.Traces is not null)
        {
            Assert.Equal(corpusCase.Traces.Order(StringComparer.Ordinal), Letters(actual));
        }
    }

    [Fact]
    public async Task Search_SelectiveQuery_SkipsWhatCannotMatch()
    {
        var fetcher = new StoreSpansetFetcher(_store);
        var response = await new TraceQLEngine().SearchAsync("{ resource.service.name = \"worker\" && status = error }", new SearchRequest(), fetcher, CancellationToken.None);
        Assert.Equal(["C"], Letters(response));
        Assert.Equal(1, fetcher.Metrics.BlocksSkipped);
    }

    [Fact]
    public void Translate_ConditionsStorageCannotCheck_AreDroppedFromAllOf_AndCancelAnyOf()
    {
        var pipeline = TraceQLEngine.Parse("{ name = \"a\" && event:name = \"b\" }");
        var (conditions, all) = ConditionExtractor.Extract(pipeline);
        var predicates = StoreSpansetFetcher.Translate(conditions, all);
        Assert.Equal(["Name Equal a"], predicates.Select(p => p.ToString()));

        (conditions, all) = ConditionExtractor.Extract(TraceQLEngine.Parse("{ name = \"a\" || event:name = \"b\" }"));
        Assert.False(all);
        Assert.Empty(StoreSpansetFetcher.Translate(conditions, all));

        (conditions, all) = ConditionExtractor.Extract(TraceQLEngine.Parse("{ resource.service.name =~ \"pay.*\" || span.http.status_code >= 500 }"));
        Assert.Equal(["ServiceName Matches ^(?:pay.*)$", "SpanAttribute.http.status_code GreaterOrEqual 500"], StoreSpansetFetcher.Translate(conditions, all).Select(p => p.ToString()));
    }

    private static string[] Letters(SearchResponse response) =>
        [.. response.Traces.Select(t => Fixture.Letters[t.TraceId]).Order(StringComparer.Ordinal)];
}
