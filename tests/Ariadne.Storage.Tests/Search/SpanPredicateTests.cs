using Ariadne.Model;
using Ariadne.Storage.Search;
using static Ariadne.Storage.Tests.Search.ScanFixture;

namespace Ariadne.Storage.Tests.Search;

public class SpanPredicateTests
{
    private static bool Matches(SpanPredicate predicate, SpanSpec spec) => predicate.Matches(Trace(new TraceId(1, 1), 1, spec), 0);

    [Fact]
    public void Matches_IntAttributeAgainstDoubleValue_ComparesNumerically()
    {
        var spec = new SpanSpec("a", "op", Attribute: "http.status_code", Value: 503L);
        Assert.True(Matches(SpanPredicate.Double(SpanField.SpanAttribute, PredicateOperator.Greater, 499.5, "http.status_code"), spec));
        Assert.True(Matches(SpanPredicate.Int(SpanField.SpanAttribute, PredicateOperator.Equal, 503, "http.status_code"), spec));
        Assert.False(Matches(SpanPredicate.Int(SpanField.SpanAttribute, PredicateOperator.Less, 503, "http.status_code"), spec));
        Assert.False(Matches(SpanPredicate.String(SpanField.SpanAttribute, PredicateOperator.Equal, "503", "http.status_code"), spec));
    }

    [Fact]
    public void Matches_MissingAttribute_IsFalseForEveryOperator()
    {
        var spec = new SpanSpec("a", "op");
        Assert.False(Matches(SpanPredicate.String(SpanField.SpanAttribute, PredicateOperator.NotEqual, "x", "missing"), spec));
        Assert.False(Matches(SpanPredicate.Exists(SpanField.SpanAttribute, "missing"), spec));
        Assert.False(Matches(SpanPredicate.Int(SpanField.AnyAttribute, PredicateOperator.Less, 1, "missing"), spec));
    }

    [Fact]
    public void Matches_ResourceAndAnyScope_FindResourceAttributes()
    {
        var spec = new SpanSpec("payments", "op", Attribute: "peer", Value: "db");
        Assert.True(Matches(SpanPredicate.String(SpanField.ResourceAttribute, PredicateOperator.Equal, "host-payments", "host.name"), spec));
        Assert.False(Matches(SpanPredicate.String(SpanField.SpanAttribute, PredicateOperator.Equal, "host-payments", "host.name"), spec));
        Assert.True(Matches(SpanPredicate.String(SpanField.AnyAttribute, PredicateOperator.Equal, "host-payments", "host.name"), spec));
        Assert.True(Matches(SpanPredicate.String(SpanField.AnyAttribute, PredicateOperator.Equal, "db", "peer"), spec));
        Assert.True(Matches(SpanPredicate.String(SpanField.ServiceName, PredicateOperator.Equal, "payments"), spec));
    }

    [Fact]
    public void Matches_RegexBoolAndIntrinsics_CompareAsTyped()
    {
        var spec = new SpanSpec("a", "GET /orders/42", StatusCode.Error, DurationNanos: 2_000_000, Attribute: "cache.hit", Value: true, Kind: SpanKind.Client);
        Assert.True(Matches(SpanPredicate.String(SpanField.Name, PredicateOperator.Matches, "/orders/[0-9]+$"), spec));
        Assert.False(Matches(SpanPredicate.String(SpanField.Name, PredicateOperator.Matches, "^POST"), spec));
        Assert.True(Matches(SpanPredicate.Bool(SpanField.SpanAttribute, PredicateOperator.Equal, true, "cache.hit"), spec));
        Assert.False(Matches(SpanPredicate.Bool(SpanField.SpanAttribute, PredicateOperator.Equal, false, "cache.hit"), spec));
        Assert.True(Matches(SpanPredicate.Int(SpanField.Duration, PredicateOperator.GreaterOrEqual, 2_000_000), spec));
        Assert.False(Matches(SpanPredicate.Int(SpanField.Duration, PredicateOperator.Greater, 2_000_000), spec));
        Assert.True(Matches(SpanPredicate.Status(PredicateOperator.Equal, StatusCode.Error), spec));
        Assert.True(Matches(SpanPredicate.Kind(PredicateOperator.NotEqual, SpanKind.Server), spec));
        Assert.True(Matches(SpanPredicate.String(SpanField.Name, PredicateOperator.Greater, "GET /a"), spec));
    }

    [Fact]
    public void Matches_Textual_ComparesWithTheValuesTextFormWhateverItsType()
    {
        Assert.True(Matches(SpanPredicate.Textual(SpanField.AnyAttribute, PredicateOperator.Equal, "503", "code"), new SpanSpec("a", "op", Attribute: "code", Value: 503L)));
        Assert.True(Matches(SpanPredicate.Textual(SpanField.AnyAttribute, PredicateOperator.Equal, "503", "code"), new SpanSpec("a", "op", Attribute: "code", Value: "503")));
        Assert.True(Matches(SpanPredicate.Textual(SpanField.AnyAttribute, PredicateOperator.Equal, "true", "hit"), new SpanSpec("a", "op", Attribute: "hit", Value: true)));
        Assert.True(Matches(SpanPredicate.Textual(SpanField.AnyAttribute, PredicateOperator.Equal, "0.5", "ratio"), new SpanSpec("a", "op", Attribute: "ratio", Value: 0.5)));
        Assert.False(Matches(SpanPredicate.Textual(SpanField.AnyAttribute, PredicateOperator.Equal, "504", "code"), new SpanSpec("a", "op", Attribute: "code", Value: 503L)));
        Assert.True(Matches(SpanPredicate.Textual(SpanField.AnyAttribute, PredicateOperator.NotEqual, "504", "code"), new SpanSpec("a", "op", Attribute: "code", Value: 503L)));
        Assert.Throws<ArgumentException>(() => SpanPredicate.Textual(SpanField.AnyAttribute, PredicateOperator.Greater, "1", "code"));
    }

    [Fact]
    public void Create_InconsistentArguments_Throw()
    {
        Assert.Throws<ArgumentException>(() => SpanPredicate.String(SpanField.SpanAttribute, PredicateOperator.Equal, "x"));
        Assert.Throws<ArgumentException>(() => SpanPredicate.String(SpanField.Name, PredicateOperator.Equal, "x", "key"));
        Assert.Throws<ArgumentException>(() => SpanPredicate.Int(SpanField.Name, PredicateOperator.Matches, 1));
    }
}
