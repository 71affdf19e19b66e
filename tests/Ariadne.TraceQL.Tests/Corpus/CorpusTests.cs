using Ariadne.TraceQL.Engine;
using Ariadne.TraceQL.Fetch;
using Ariadne.TraceQL.Syntax;

namespace Ariadne.TraceQL.Tests.Corpus;

/// <summary>Every query of Corpus/queries.txt: its error, its canonical print, and the fixture traces it matches.</summary>
public class CorpusTests
{
    private static readonly IReadOnlyList<CorpusCase> Cases = CorpusCase.Load();

    public static TheoryData<CorpusCase> Valid() => [.. Cases.Where(c => c.Error is null)];

    public static TheoryData<CorpusCase> Invalid() => [.. Cases.Where(c => c.Error is not null)];

    [Fact]
    public void Corpus_HasAtLeast150Queries_AndEveryValidOneStatesAnExpectation()
    {
        Assert.True(Cases.Count >= 150, $"{Cases.Count} queries");
        Assert.All(Cases.Where(c => c.Error is null), c => Assert.True(c.Traces is not null || c.Printed is not null, c.ToString()));
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Parse_InvalidQuery_FailsWithTheExpectedMessage(CorpusCase corpusCase)
    {
        var error = Assert.Throws<TraceQLException>(() => TraceQLEngine.Parse(corpusCase.Query));
        Assert.Equal(corpusCase.Error, error.Message);
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parse_ValidQuery_PrintsCanonicallyAndReparsesToTheSameTree(CorpusCase corpusCase)
    {
        var ast = TraceQLEngine.Parse(corpusCase.Query);
        var printed = Printer.Print(ast);
        if (corpusCase.Printed is not null)
        {
            Assert.Equal(corpusCase.Printed, printed);
        }

        var again = TraceQLEngine.Parse(printed);
        Assert.Equal(ast, again);
        Assert.Equal(printed, Printer.Print(again));
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public async Task Search_ValidQuery_MatchesTheExpectedFixtureTraces(CorpusCase corpusCase)
    {
        if (corpusCase.Traces is null)
        {
            return;
        }

        var matched = await MatchAsync(corpusCase.Query, new InMemorySpansetFetcher([Fixture.Create()]));
        Assert.Equal(corpusCase.Traces.Order(StringComparer.Ordinal), matched);
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public async Task Search_WithAFetcherThatAppliesTheConditions_FindsTheSameTraces(CorpusCase corpusCase)
    {
        var unfiltered = await MatchAsync(corpusCase.Query, new InMemorySpansetFetcher([Fixture.Create()]));
        var filtered = await MatchAsync(corpusCase.Query, new ConditionFilteringFetcher(Fixture.Create()));
        Assert.Equal(unfiltered, filtered);
    }

    internal static async Task<string[]> MatchAsync(string query, ISpansetFetcher fetcher)
    {
        var response = await new TraceQLEngine().SearchAsync(query, new SearchRequest { Limit = 100 }, fetcher, CancellationToken.None);
        return [.. response.Traces.Select(t => Fixture.Letters[t.TraceId]).Order(StringComparer.Ordinal)];
    }
}
