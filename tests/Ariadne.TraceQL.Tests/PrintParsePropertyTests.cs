using Ariadne.Model;
using Ariadne.TraceQL.Ast;
using Ariadne.TraceQL.Engine;
using Ariadne.TraceQL.Syntax;
using FsCheck;
using FsCheck.Fluent;

namespace Ariadne.TraceQL.Tests;

/// <summary>
/// Random well-typed queries: printing the tree and parsing the text again gives the same tree, and
/// printing that tree gives the same text.
/// </summary>
public class PrintParsePropertyTests
{
    private static readonly Gen<string> AttributeName = Gen.Elements(
        "http.status_code", "a", "x_1", "k8s.pod/name", "my attr", "with \"quote\"", "dots.and-dashes", "ünï", "1starts.with.digit", "end.", "日本");

    private static readonly Gen<AttributeScope> Scope = Gen.Elements(
        AttributeScope.Unscoped, AttributeScope.Span, AttributeScope.Resource, AttributeScope.Event, AttributeScope.Link, AttributeScope.Instrumentation);

    private static readonly Gen<FieldExpression> Attribute =
        from scope in Scope
        from name in AttributeName
        select (FieldExpression)new AttributeExpression(FieldRef.Attribute(scope, name));

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.Elements(string.Empty, "GET /checkout", "a\"b", "back\\slash", "line\nbreak\ttab\r", "café ✓", "\u0001ctl"),
        ArbMap.Default.GeneratorFor<NonNull<string>>().Select(s => Sanitize(s.Get)));

    private static readonly Gen<FieldExpression> IntLiteral =
        Gen.Choose(-1000, 1_000_000).Select(i => (FieldExpression)new StaticExpression(StaticValue.Int(i)));

    private static readonly Gen<FieldExpression> FloatLiteral =
        Gen.Choose(-4000, 4000).Select(i => (FieldExpression)new StaticExpression(StaticValue.FloatValue(i / 8.0)));

    private static readonly Gen<FieldExpression> DurationLiteral =
        from amount in Gen.Choose(0, 5000)
        from unit in Gen.Elements(1L, 1_000L, 1_000_000L, 1_000_000_000L, 60_000_000_000L, 3_600_000_000_000L)
        select (FieldExpression)new StaticExpression(StaticValue.Duration(amount * unit));

    private static readonly Gen<FieldExpression> StringLiteral = Text.Select(t => (FieldExpression)new StaticExpression(StaticValue.String(t)));

    private static readonly Gen<BinaryOperator> Ordering = Gen.Elements(
        BinaryOperator.Equal, BinaryOperator.NotEqual, BinaryOperator.Greater, BinaryOperator.GreaterOrEqual, BinaryOperator.Less, BinaryOperator.LessOrEqual);

    private static readonly Gen<BinaryOperator> Arithmetic = Gen.Elements(
        BinaryOperator.Add, BinaryOperator.Subtract, BinaryOperator.Multiply, BinaryOperator.Divide, BinaryOperator.Modulo, BinaryOperator.Power);

    private static Gen<FieldExpression> Numeric(int depth) => depth <= 0
        ? Gen.OneOf(IntLiteral, FloatLiteral, Attribute)
        : Gen.OneOf(
            IntLiteral,
            FloatLiteral,
            Attribute,
            from op in Arithmetic
            from left in Numeric(depth - 1)
            from right in Numeric(depth - 1)
            select (FieldExpression)new BinaryExpression(op, left, right),
            Numeric(depth - 1).Select(e => (FieldExpression)new UnaryExpression(UnaryOperator.Negate, e)));

    private static Gen<FieldExpression> Comparison(int depth) => Gen.OneOf(
        from left in Numeric(depth)
        from op in Ordering
        from right in Numeric(depth)
        select (FieldExpression)new BinaryExpression(op, left, right),
        from field in Gen.OneOf(Gen.Constant((FieldExpression)new AttributeExpression(FieldRef.Of(Intrinsic.Name))), Attribute, Gen.Constant((FieldExpression)new AttributeExpression(FieldRef.Of(Intrinsic.StatusMessage))))
        from op in Gen.Elements(BinaryOperator.Equal, BinaryOperator.NotEqual, BinaryOperator.Regex, BinaryOperator.NotRegex)
        from text in Gen.Elements("GET .*", "a|b", "[0-9]+", "x")
        select (FieldExpression)new BinaryExpression(op, field, new StaticExpression(StaticValue.String(text))),
        from field in Gen.Elements(Intrinsic.Name, Intrinsic.RootName, Intrinsic.RootServiceName, Intrinsic.EventName, Intrinsic.InstrumentationName)
        from op in Gen.Elements(BinaryOperator.Equal, BinaryOperator.NotEqual)
        from text in StringLiteral
        select (FieldExpression)new BinaryExpression(op, new AttributeExpression(FieldRef.Of(field)), text),
        from field in Gen.Elements(Intrinsic.Duration, Intrinsic.TraceDuration)
        from op in Ordering
        from value in DurationLiteral
        select (FieldExpression)new BinaryExpression(op, new AttributeExpression(FieldRef.Of(field)), value),
        from op in Gen.Elements(BinaryOperator.Equal, BinaryOperator.NotEqual)
        from status in Gen.Elements(StatusCode.Ok, StatusCode.Error, StatusCode.Unset)
        select (FieldExpression)new BinaryExpression(op, new AttributeExpression(FieldRef.Of(Intrinsic.Status)), new StaticExpression(StaticValue.Status(status))),
        from op in Gen.Elements(BinaryOperator.Equal, BinaryOperator.NotEqual)
        from kind in Gen.Elements(SpanKind.Server, SpanKind.Client, SpanKind.Producer, SpanKind.Consumer, SpanKind.Internal, SpanKind.Unspecified)
        select (FieldExpression)new BinaryExpression(op, new AttributeExpression(FieldRef.Of(Intrinsic.Kind)), new StaticExpression(StaticValue.SpanKind(kind))),
        from attribute in Attribute
        from op in Gen.Elements(BinaryOperator.Equal, BinaryOperator.NotEqual)
        select (FieldExpression)new BinaryExpression(op, attribute, new StaticExpression(StaticValue.Nil)),
        from attribute in Attribute
        from value in Gen.Elements(true, false)
        select (FieldExpression)new BinaryExpression(BinaryOperator.Equal, attribute, new StaticExpression(StaticValue.Bool(value))));

    private static Gen<FieldExpression> Condition(int depth) => depth <= 0
        ? Comparison(0)
        : Gen.Frequency(
            (3, Comparison(Math.Min(depth, 2))),
            (2, from op in Gen.Elements(BinaryOperator.And, BinaryOperator.Or)
                from left in Condition(depth - 1)
                from right in Condition(depth - 1)
                select (FieldExpression)new BinaryExpression(op, left, right)),
            (1, Condition(depth - 1).Select(c => (FieldExpression)new UnaryExpression(UnaryOperator.Not, c))));

    private static readonly Gen<SpansetOperator> SpansetOperators = Gen.Elements(Enum.GetValues<SpansetOperator>());

    private static Gen<SpansetExpression> Spanset(int depth) => depth <= 0
        ? Filter(0)
        : Gen.Frequency(
            (3, Filter(depth)),
            (2, from op in SpansetOperators
                from left in Spanset(depth - 1)
                from right in Spanset(depth - 1)
                select (SpansetExpression)new SpansetOperation(op, left, right)),
            (1, Query(depth - 1, minimumStages: 1).Select(p => (SpansetExpression)p)));

    private static Gen<SpansetExpression> Filter(int depth) => Gen.Frequency(
        (1, Gen.Constant((SpansetExpression)new SpansetFilter(null))),
        (6, Condition(depth).Select(c => (SpansetExpression)new SpansetFilter(c))));

    /// <summary>An aggregate and a literal of its type: count() and aggregates of attributes are numbers, of duration durations.</summary>
    private static readonly Gen<(ScalarExpression Aggregate, StaticValue Bound)> AggregateAndBound = Gen.OneOf(
        Gen.Choose(0, 100).Select(n => ((ScalarExpression)new AggregateExpression(AggregateKind.Count, null), StaticValue.Int(n))),
        from kind in Gen.Elements(AggregateKind.Avg, AggregateKind.Min, AggregateKind.Max, AggregateKind.Sum)
        from attribute in Attribute
        from n in Gen.Choose(0, 100)
        select ((ScalarExpression)new AggregateExpression(kind, attribute), StaticValue.Int(n)),
        from kind in Gen.Elements(AggregateKind.Avg, AggregateKind.Min, AggregateKind.Max, AggregateKind.Sum)
        from ms in Gen.Choose(0, 100_000)
        select ((ScalarExpression)new AggregateExpression(kind, new AttributeExpression(FieldRef.Of(Intrinsic.Duration))), StaticValue.Duration(ms * 1_000_000L)));

    private static readonly Gen<PipelineElement> Stage = Gen.OneOf(
        from pair in AggregateAndBound
        from op in Ordering
        select (PipelineElement)new ScalarFilter(op, pair.Aggregate, new ScalarLiteral(pair.Bound)),
        from pair in AggregateAndBound
        from op in Ordering
        from scale in Gen.Choose(1, 3)
        select (PipelineElement)new ScalarFilter(op, new ScalarOperation(BinaryOperator.Multiply, pair.Aggregate, new ScalarLiteral(StaticValue.Int(scale))), new ScalarLiteral(pair.Bound)),
        Attribute.Select(a => (PipelineElement)new GroupBy(a)),
        Gen.Constant((PipelineElement)new Coalesce()),
        Gen.ListOf(Gen.OneOf(
            Attribute.Select(a => ((AttributeExpression)a).Field),
            Gen.Elements(FieldRef.Of(Intrinsic.Name), FieldRef.Of(Intrinsic.Duration), FieldRef.Of(Intrinsic.Status)))).Resize(3)
            .Where(fields => fields.Count > 0)
            .Select(fields => (PipelineElement)new Select(new ValueList<FieldRef>(fields))));

    /// <summary>A parenthesized pipeline of one spanset is that spanset, so nested pipelines have a stage.</summary>
    private static Gen<Pipeline> Query(int depth, int minimumStages = 0) =>
        from head in Spanset(depth)
        from stages in Gen.ListOf(Stage).Resize(3).Where(s => s.Count >= minimumStages)
        select new Pipeline(new ValueList<PipelineElement>([head, .. stages]));

    [Fact]
    public void PrintThenParse_RandomQueries_GivesTheSameTree()
    {
        Prop.ForAll(Gen.Choose(0, 3).SelectMany(depth => Query(depth)).ToArbitrary(), pipeline =>
        {
            var printed = Printer.Print(pipeline);
            var parsed = TraceQLEngine.Parse(printed);
            Assert.True(pipeline.Equals(parsed), printed);
            Assert.Equal(printed, Printer.Print(parsed));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1000));
    }

    [Fact]
    public void Parse_TextOfRandomTokens_FailsWithAPositionOrSucceeds()
    {
        var token = Gen.Elements(
            "{", "}", "(", ")", "|", "&&", "||", "!", ">", ">>", "<", "!~", "=~", "=", "!=", "~", "name", "status", "error",
            "span.x", ".y", "\"s\"", "1", "2.5", "3ms", "nil", "count()", "avg(", "by(", "select(", ",", "+", "-", "*", "@", "\"");
        Prop.ForAll(Gen.ListOf(token).Resize(12).Select(parts => string.Join(' ', parts)).ToArbitrary(), text =>
        {
            try
            {
                var tree = TraceQLEngine.Parse(text);
                Assert.Equal(tree, TraceQLEngine.Parse(Printer.Print(tree)));
            }
            catch (TraceQLException e)
            {
                Assert.Matches(@"^\d+:\d+: \S", e.Message);
                Assert.DoesNotContain('\n', e.Message);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1000));
    }

    private static string Sanitize(string s)
    {
        var chars = s.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '?';
            }
        }

        return new string(chars);
    }
}
