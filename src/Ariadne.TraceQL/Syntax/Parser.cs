using Ariadne.TraceQL.Ast;

namespace Ariadne.TraceQL.Syntax;

/// <summary>
/// Recursive-descent parser for TraceQL with Tempo's precedences: between spansets, structural
/// operators bind tighter than <c>&amp;&amp;</c> and <c>||</c>, which share one level and associate left;
/// in field expressions, from loosest: <c>&amp;&amp; ||</c>, comparisons, <c>+ -</c>, prefix <c>! -</c>,
/// <c>* / %</c>, then <c>^</c> (right-associative). Every error names the position and what was expected.
/// </summary>
internal sealed class Parser
{
    /// <summary>
    /// Brackets nested deeper than this are refused: the parser recurses once per level, and a query
    /// of nothing but opening brackets would otherwise overflow the stack and end the process.
    /// </summary>
    public const int MaxNesting = 100;

    /// <summary>
    /// Operators past this many are refused: each one is a level of the tree that the type checker,
    /// printer and evaluator walk recursively, so the count bounds their stack too.
    /// </summary>
    public const int MaxOperators = 1000;

    private readonly string _query;
    private readonly List<Token> _tokens;
    private int _position;
    private int _nesting;
    private int _operators;

    private Parser(string query)
    {
        _query = query;
        _tokens = Lexer.Tokenize(query);
    }

    private Token Current => _tokens[_position];

    /// <summary>Parses and type-checks a query.</summary>
    /// <exception cref="TraceQLException">The query is not valid TraceQL.</exception>
    public static Pipeline Parse(string query)
    {
        var parser = new Parser(query);
        if (parser.Current.Kind == TokenKind.End)
        {
            throw parser.Error("expected a query such as { status = error }, found an empty query");
        }

        var pipeline = parser.ParsePipeline();
        if (parser.Current.Kind == TokenKind.Pipe)
        {
            throw parser.Error($"{parser._tokens[parser._position + 1].Text}() makes a metrics query: ask /api/metrics/query_range (or /api/metrics/query) for it, not a search");
        }

        if (parser.Current.Kind != TokenKind.End)
        {
            throw parser.Error($"expected '|', '&&', '||' or a structural operator, found {Describe(parser.Current)}");
        }

        TypeChecker.Check(pipeline, query);
        return pipeline;
    }

    /// <summary>Parses and type-checks a metrics query: a search pipeline, then <c>| function(…) [by (…)]</c>.</summary>
    /// <exception cref="TraceQLException">The query is not a valid TraceQL metrics query.</exception>
    public static MetricsQuery ParseMetrics(string query)
    {
        var parser = new Parser(query);
        if (parser.Current.Kind == TokenKind.End)
        {
            throw parser.Error("expected a metrics query such as { status = error } | rate(), found an empty query");
        }

        var pipeline = parser.ParsePipeline();
        if (parser.Current.Kind != TokenKind.Pipe)
        {
            throw parser.Error($"expected '|' and a metrics function (rate, count_over_time, min_over_time, max_over_time, sum_over_time, avg_over_time, quantile_over_time, histogram_over_time), found {Describe(parser.Current)}");
        }

        parser._position++;
        var metrics = parser.ParseMetricsFunction(pipeline);
        if (parser.Current.Kind == TokenKind.Identifier && parser.Current.Text == "with")
        {
            parser.SkipHints();
        }

        if (parser.Current.Kind != TokenKind.End)
        {
            throw parser.Error($"expected the end of the query after the metrics function, found {Describe(parser.Current)}");
        }

        TypeChecker.Check(pipeline, query);
        return metrics;
    }

    private static readonly Dictionary<string, MetricsFunction> MetricsFunctions = new(StringComparer.Ordinal)
    {
        ["rate"] = MetricsFunction.Rate,
        ["count_over_time"] = MetricsFunction.CountOverTime,
        ["min_over_time"] = MetricsFunction.MinOverTime,
        ["max_over_time"] = MetricsFunction.MaxOverTime,
        ["sum_over_time"] = MetricsFunction.SumOverTime,
        ["avg_over_time"] = MetricsFunction.AvgOverTime,
        ["quantile_over_time"] = MetricsFunction.QuantileOverTime,
        ["histogram_over_time"] = MetricsFunction.HistogramOverTime,
    };

    private MetricsQuery ParseMetricsFunction(Pipeline filter)
    {
        var token = Current;
        if (token.Kind != TokenKind.Identifier || !MetricsFunctions.TryGetValue(token.Text, out var function))
        {
            throw Error($"expected a metrics function (rate, count_over_time, min_over_time, max_over_time, sum_over_time, avg_over_time, quantile_over_time, histogram_over_time), found {Describe(token)}");
        }

        _position++;
        Expect(TokenKind.OpenParen, $"'(' after {token.Text}");
        FieldRef? field = null;
        var quantiles = new List<double>();
        if (function is MetricsFunction.Rate or MetricsFunction.CountOverTime)
        {
            Expect(TokenKind.CloseParen, $"')': {token.Text}() takes no arguments");
        }
        else
        {
            if (Current.Kind == TokenKind.CloseParen)
            {
                throw Error($"expected a field such as duration or span.http.response.status_code inside {token.Text}()");
            }

            field = ParseFieldRef();
            if (function == MetricsFunction.QuantileOverTime)
            {
                if (Current.Kind != TokenKind.Comma)
                {
                    throw Error("expected ',' and at least one quantile between 0 and 1, as in quantile_over_time(duration, 0.9, 0.99)");
                }

                while (Current.Kind == TokenKind.Comma)
                {
                    _position++;
                    var number = Current;
                    if (number.Kind is not (TokenKind.Integer or TokenKind.Float)
                        || !double.TryParse(number.Text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var q)
                        || q < 0 || q > 1)
                    {
                        throw Error($"expected a quantile between 0 and 1, found {Describe(number)}");
                    }

                    _position++;
                    quantiles.Add(q);
                }
            }

            Expect(TokenKind.CloseParen, $"')' to close {token.Text}(");
        }

        var by = new List<FieldRef>();
        if (Current.Kind == TokenKind.Identifier && Current.Text == "by")
        {
            _position++;
            Expect(TokenKind.OpenParen, "'(' after by");
            by.Add(ParseFieldRef());
            while (Current.Kind == TokenKind.Comma)
            {
                _position++;
                by.Add(ParseFieldRef());
            }

            Expect(TokenKind.CloseParen, "',' or ')' in by(");
        }

        return new MetricsQuery(filter, function, field, new ValueList<double>(quantiles), new ValueList<FieldRef>(by));
    }

    /// <summary><c>with (sample = true, …)</c>: query hints; accepted and ignored (every span is counted).</summary>
    private void SkipHints()
    {
        _position++;
        Expect(TokenKind.OpenParen, "'(' after with");
        var depth = 1;
        while (depth > 0)
        {
            switch (Current.Kind)
            {
                case TokenKind.End:
                    throw Error("expected ')' to close with(");
                case TokenKind.OpenParen:
                    depth++;
                    break;
                case TokenKind.CloseParen:
                    depth--;
                    break;
            }

            _position++;
        }
    }

    private Pipeline ParsePipeline()
    {
        var elements = new List<PipelineElement> { ParseElement(first: true) };
        while (Current.Kind == TokenKind.Pipe)
        {
            if (_tokens[_position + 1] is { Kind: TokenKind.Identifier } next && MetricsFunctions.ContainsKey(next.Text))
            {
                // A metrics function ends the search pipeline; ParseMetrics takes it from here.
                break;
            }

            _position++;
            elements.Add(ParseElement(first: false));
        }

        return new Pipeline(new ValueList<PipelineElement>(elements));
    }

    private PipelineElement ParseElement(bool first)
    {
        if (Current.Kind == TokenKind.Identifier)
        {
            switch (Current.Text)
            {
                case "by":
                    _position++;
                    Expect(TokenKind.OpenParen, "'(' after by");
                    var field = ParseFieldExpression();
                    Expect(TokenKind.CloseParen, "')' to close by(");
                    return new GroupBy(field);
                case "coalesce":
                    if (first)
                    {
                        throw Error("coalesce() must follow a spanset: expected a query such as { } | coalesce()");
                    }

                    _position++;
                    Expect(TokenKind.OpenParen, "'(' after coalesce");
                    Expect(TokenKind.CloseParen, "')': coalesce() takes no arguments");
                    return new Coalesce();
                case "select":
                    _position++;
                    Expect(TokenKind.OpenParen, "'(' after select");
                    var fields = new List<FieldRef> { ParseFieldRef() };
                    while (Current.Kind == TokenKind.Comma)
                    {
                        _position++;
                        fields.Add(ParseFieldRef());
                    }

                    Expect(TokenKind.CloseParen, "',' or ')' in select(");
                    return new Select(new ValueList<FieldRef>(fields));
            }
        }

        return StartsScalar() ? ParseScalarFilter() : ParseSpansetExpression();
    }

    /// <summary>Whether the element ahead is a scalar filter: an aggregate or number, possibly in parentheses.</summary>
    private bool StartsScalar()
    {
        var i = _position;
        while (_tokens[i].Kind == TokenKind.OpenParen)
        {
            i++;
        }

        var token = _tokens[i];
        return token.Kind is TokenKind.Integer or TokenKind.Float or TokenKind.Duration or TokenKind.Minus
            || (token.Kind == TokenKind.Identifier && token.Text is "count" or "avg" or "min" or "max" or "sum");
    }

    private ScalarFilter ParseScalarFilter()
    {
        var left = ParseScalarExpression(0);
        var op = Current.Kind switch
        {
            TokenKind.Equal => BinaryOperator.Equal,
            TokenKind.NotEqual => BinaryOperator.NotEqual,
            TokenKind.Greater => BinaryOperator.Greater,
            TokenKind.GreaterOrEqual => BinaryOperator.GreaterOrEqual,
            TokenKind.Less => BinaryOperator.Less,
            TokenKind.LessOrEqual => BinaryOperator.LessOrEqual,
            _ => throw Error($"expected a comparison (= != > >= < <=) after the aggregate, found {Describe(Current)}"),
        };
        _position++;
        var right = ParseScalarExpression(0);
        return new ScalarFilter(op, left, right);
    }

    private ScalarExpression ParseScalarExpression(int minimumLevel)
    {
        var left = ParseScalarPrimary();
        while (true)
        {
            var (op, level, rightAssociative) = Current.Kind switch
            {
                TokenKind.Plus => (BinaryOperator.Add, 1, false),
                TokenKind.Minus => (BinaryOperator.Subtract, 1, false),
                TokenKind.Star => (BinaryOperator.Multiply, 2, false),
                TokenKind.Slash => (BinaryOperator.Divide, 2, false),
                TokenKind.Percent => (BinaryOperator.Modulo, 2, false),
                TokenKind.Caret => (BinaryOperator.Power, 3, true),
                _ => (BinaryOperator.And, -1, false),
            };
            if (level < 0 || level < minimumLevel)
            {
                return left;
            }

            _position++;
            var right = ParseScalarExpression(rightAssociative ? level : level + 1);
            left = new ScalarOperation(op, left, right);
        }
    }

    private ScalarExpression ParseScalarPrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.OpenParen:
                _position++;
                Enter();
                var inner = ParseScalarExpression(0);
                Expect(TokenKind.CloseParen, "')'");
                _nesting--;
                return inner;
            case TokenKind.Integer or TokenKind.Float or TokenKind.Duration:
                _position++;
                return new ScalarLiteral(Literal(token, negative: false));
            case TokenKind.Minus when _tokens[_position + 1].Kind is TokenKind.Integer or TokenKind.Float or TokenKind.Duration:
                _position += 2;
                return new ScalarLiteral(Literal(_tokens[_position - 1], negative: true));
            case TokenKind.Identifier when token.Text is "count" or "avg" or "min" or "max" or "sum":
                _position++;
                var kind = token.Text switch
                {
                    "count" => AggregateKind.Count,
                    "avg" => AggregateKind.Avg,
                    "min" => AggregateKind.Min,
                    "max" => AggregateKind.Max,
                    _ => AggregateKind.Sum,
                };
                Expect(TokenKind.OpenParen, $"'(' after {token.Text}");
                FieldExpression? field = null;
                if (kind == AggregateKind.Count)
                {
                    Expect(TokenKind.CloseParen, "')': count() takes no arguments");
                }
                else
                {
                    if (Current.Kind == TokenKind.CloseParen)
                    {
                        throw Error($"expected a field such as duration or span.size inside {token.Text}()");
                    }

                    field = ParseFieldExpression();
                    Expect(TokenKind.CloseParen, $"')' to close {token.Text}(");
                }

                return new AggregateExpression(kind, field);
            default:
                throw Error($"expected an aggregate (count, avg, min, max, sum), a number or a duration, found {Describe(token)}");
        }
    }

    private SpansetExpression ParseSpansetExpression()
    {
        var left = ParseStructural();
        while (Current.Kind is TokenKind.And or TokenKind.Or)
        {
            var op = Current.Kind == TokenKind.And ? SpansetOperator.And : SpansetOperator.Or;
            _position++;
            CountOperator();
            left = new SpansetOperation(op, left, ParseStructural());
        }

        return left;
    }

    private SpansetExpression ParseStructural()
    {
        var left = ParseSpansetPrimary();
        while (true)
        {
            SpansetOperator? op = Current.Kind switch
            {
                TokenKind.Greater => SpansetOperator.Child,
                TokenKind.Descendant => SpansetOperator.Descendant,
                TokenKind.Less => SpansetOperator.Parent,
                TokenKind.Ancestor => SpansetOperator.Ancestor,
                TokenKind.Tilde => SpansetOperator.Sibling,
                TokenKind.NotChild => SpansetOperator.NotChild,
                TokenKind.NotDescendant => SpansetOperator.NotDescendant,
                TokenKind.NotParent => SpansetOperator.NotParent,
                TokenKind.NotAncestor => SpansetOperator.NotAncestor,
                TokenKind.NotRegex => SpansetOperator.NotSibling,
                _ => null,
            };
            if (op is null)
            {
                return left;
            }

            _position++;
            CountOperator();
            left = new SpansetOperation(op.Value, left, ParseSpansetPrimary());
        }
    }

    private SpansetExpression ParseSpansetPrimary()
    {
        switch (Current.Kind)
        {
            case TokenKind.OpenBrace:
                _position++;
                if (Current.Kind == TokenKind.CloseBrace)
                {
                    _position++;
                    return new SpansetFilter(null);
                }

                Enter();
                var expression = ParseFieldExpression();
                Expect(TokenKind.CloseBrace, "'}' or an operator");
                _nesting--;
                return new SpansetFilter(expression);
            case TokenKind.OpenParen:
                _position++;
                Enter();
                var inner = ParsePipeline();
                Expect(TokenKind.CloseParen, "')'");
                _nesting--;
                return inner.Elements is [SpansetExpression only] ? only : inner;
            default:
                throw Error($"expected '{{' to start a spanset filter, found {Describe(Current)}");
        }
    }

    private FieldExpression ParseFieldExpression() => ParseLogical();

    private FieldExpression ParseLogical()
    {
        var left = ParseComparison();
        while (Current.Kind is TokenKind.And or TokenKind.Or)
        {
            var token = Current;
            _position++;
            CountOperator();
            left = new BinaryExpression(token.Kind == TokenKind.And ? BinaryOperator.And : BinaryOperator.Or, left, ParseComparison(), token.Offset);
        }

        return left;
    }

    private FieldExpression ParseComparison()
    {
        var left = ParseAdditive();
        while (true)
        {
            BinaryOperator? op = Current.Kind switch
            {
                TokenKind.Equal => BinaryOperator.Equal,
                TokenKind.NotEqual => BinaryOperator.NotEqual,
                TokenKind.Greater => BinaryOperator.Greater,
                TokenKind.GreaterOrEqual => BinaryOperator.GreaterOrEqual,
                TokenKind.Less => BinaryOperator.Less,
                TokenKind.LessOrEqual => BinaryOperator.LessOrEqual,
                TokenKind.Regex => BinaryOperator.Regex,
                TokenKind.NotRegex => BinaryOperator.NotRegex,
                _ => null,
            };
            if (op is null)
            {
                return left;
            }

            var token = Current;
            _position++;
            if (Current.Kind is TokenKind.CloseBrace or TokenKind.End or TokenKind.CloseParen)
            {
                throw Error($"expected a value after '{Symbol(token.Kind)}', found {Describe(Current)}");
            }

            CountOperator();
            left = new BinaryExpression(op.Value, left, ParseAdditive(), token.Offset);
        }
    }

    private FieldExpression ParseAdditive()
    {
        var left = ParseUnary();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var token = Current;
            _position++;
            CountOperator();
            left = new BinaryExpression(token.Kind == TokenKind.Plus ? BinaryOperator.Add : BinaryOperator.Subtract, left, ParseUnary(), token.Offset);
        }

        return left;
    }

    private FieldExpression ParseUnary()
    {
        var token = Current;
        if (token.Kind == TokenKind.Not)
        {
            _position++;
            CountOperator();
            return new UnaryExpression(UnaryOperator.Not, ParseUnary(), token.Offset);
        }

        if (token.Kind == TokenKind.Minus)
        {
            var next = _tokens[_position + 1];
            if (next.Kind is TokenKind.Integer or TokenKind.Float or TokenKind.Duration)
            {
                // A negative literal is one value, so printing it and parsing it again gives the same tree.
                _position += 2;
                return ParsePowerTail(new StaticExpression(Literal(next, negative: true), token.Offset));
            }

            _position++;
            CountOperator();
            return new UnaryExpression(UnaryOperator.Negate, ParseUnary(), token.Offset);
        }

        return ParseMultiplicative();
    }

    private FieldExpression ParseMultiplicative()
    {
        var left = ParsePower();
        return ParseMultiplicativeTail(left);
    }

    private FieldExpression ParseMultiplicativeTail(FieldExpression left)
    {
        while (Current.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var token = Current;
            _position++;
            var op = token.Kind switch
            {
                TokenKind.Star => BinaryOperator.Multiply,
                TokenKind.Slash => BinaryOperator.Divide,
                _ => BinaryOperator.Modulo,
            };
            CountOperator();
            left = new BinaryExpression(op, left, ParsePower(), token.Offset);
        }

        return left;
    }

    private FieldExpression ParsePowerTail(FieldExpression left)
    {
        if (Current.Kind == TokenKind.Caret)
        {
            var token = Current;
            _position++;
            CountOperator();
            left = new BinaryExpression(BinaryOperator.Power, left, ParseUnaryPower(), token.Offset);
        }

        return ParseMultiplicativeTail(left);
    }

    private FieldExpression ParsePower()
    {
        var left = ParsePrimary();
        if (Current.Kind == TokenKind.Caret)
        {
            var token = Current;
            _position++;
            CountOperator();
            return new BinaryExpression(BinaryOperator.Power, left, ParseUnaryPower(), token.Offset);
        }

        return left;
    }

    // The right side of ^ may itself be negative or a power (right-associative).
    private FieldExpression ParseUnaryPower()
    {
        var token = Current;
        if (token.Kind == TokenKind.Minus && _tokens[_position + 1].Kind is TokenKind.Integer or TokenKind.Float or TokenKind.Duration)
        {
            _position += 2;
            var literal = new StaticExpression(Literal(_tokens[_position - 1], negative: true), token.Offset);
            if (Current.Kind == TokenKind.Caret)
            {
                var caret = Current;
                _position++;
                CountOperator();
                return new BinaryExpression(BinaryOperator.Power, literal, ParseUnaryPower(), caret.Offset);
            }

            return literal;
        }

        return ParsePower();
    }

    private FieldExpression ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.OpenParen:
                _position++;
                Enter();
                var inner = ParseFieldExpression();
                Expect(TokenKind.CloseParen, "')' or an operator");
                _nesting--;
                return inner;
            case TokenKind.String:
                _position++;
                return new StaticExpression(StaticValue.String(token.Text), token.Offset);
            case TokenKind.Integer or TokenKind.Float or TokenKind.Duration:
                _position++;
                return new StaticExpression(Literal(token, negative: false), token.Offset);
            case TokenKind.Minus when _tokens[_position + 1].Kind is TokenKind.Integer or TokenKind.Float or TokenKind.Duration:
                _position += 2;
                return new StaticExpression(Literal(_tokens[_position - 1], negative: true), token.Offset);
            case TokenKind.Identifier:
                if (Names.Keywords.TryGetValue(token.Text, out var keyword))
                {
                    _position++;
                    return new StaticExpression(keyword, token.Offset);
                }

                return new AttributeExpression(ParseFieldRef(), token.Offset);
            default:
                throw Error($"expected a field or a value, found {Describe(token)}");
        }
    }

    /// <summary>An intrinsic or an attribute: <c>name</c>, <c>span:id</c>, <c>span.http.route</c>, <c>.x</c>, <c>resource."a b"</c>.</summary>
    private FieldRef ParseFieldRef()
    {
        var token = Current;
        if (token.Kind != TokenKind.Identifier)
        {
            throw Error($"expected a field such as name, duration, span.http.route or .x, found {Describe(token)}");
        }

        _position++;
        var text = token.Text;
        if (Names.Intrinsics.TryGetValue(text, out var intrinsic))
        {
            return FieldRef.Of(intrinsic);
        }

        AttributeScope scope;
        string name;
        if (text.StartsWith('.'))
        {
            (scope, name) = (AttributeScope.Unscoped, text[1..]);
        }
        else
        {
            var dot = text.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0 || !Names.Scopes.TryGetValue(text[..(dot + 1)], out scope))
            {
                _position--;
                if (text.StartsWith("parent.", StringComparison.Ordinal))
                {
                    throw Error("the parent. scope is not supported: use a structural operator such as { } > { }");
                }

                throw Error($"unknown name '{text}': expected an intrinsic (name, status, kind, duration, …), a scoped attribute (span.x, resource.x, event.x, link.x, instrumentation.x, .x) or a value");
            }

            name = text[(dot + 1)..];
        }

        if (name.Length == 0)
        {
            if (Current.Kind == TokenKind.String && Current.Adjacent)
            {
                name = Current.Text;
                _position++;
            }

            if (name.Length == 0)
            {
                _position--;
                throw Error($"expected an attribute name after '{text}'");
            }
        }
        else if (name.EndsWith('.'))
        {
            _position--;
            throw Error($"attribute name '{name}' ends with a dot");
        }

        return FieldRef.Attribute(scope, name);
    }

    private static StaticValue Literal(Token token, bool negative) => token.Kind switch
    {
        TokenKind.Integer => StaticValue.Int(negative ? -token.Integer : token.Integer),
        TokenKind.Float => StaticValue.FloatValue(negative ? -token.Float : token.Float),
        _ => StaticValue.Duration(negative ? -token.Integer : token.Integer),
    };

    private void Expect(TokenKind kind, string what)
    {
        if (Current.Kind != kind)
        {
            throw Error($"expected {what}, found {Describe(Current)}");
        }

        _position++;
    }

    private void Enter()
    {
        if (++_nesting > MaxNesting)
        {
            throw Error($"brackets nested deeper than {MaxNesting} levels");
        }
    }

    private void CountOperator()
    {
        if (++_operators > MaxOperators)
        {
            throw Error($"more than {MaxOperators} operators in one query");
        }
    }

    private TraceQLException Error(string reason) => TraceQLException.At(_query, Current.Offset, reason);

    private static string Describe(Token token) => token.Kind switch
    {
        TokenKind.End => "the end of the query",
        TokenKind.Identifier => $"'{token.Text}'",
        TokenKind.String => $"the string \"{token.Text}\"",
        TokenKind.Integer or TokenKind.Float or TokenKind.Duration => $"'{token.Text}'",
        _ => $"'{Symbol(token.Kind)}'",
    };

    private static string Symbol(TokenKind kind) => kind switch
    {
        TokenKind.OpenBrace => "{",
        TokenKind.CloseBrace => "}",
        TokenKind.OpenParen => "(",
        TokenKind.CloseParen => ")",
        TokenKind.Comma => ",",
        TokenKind.Pipe => "|",
        TokenKind.And => "&&",
        TokenKind.Or => "||",
        TokenKind.Not => "!",
        TokenKind.Equal => "=",
        TokenKind.NotEqual => "!=",
        TokenKind.Greater => ">",
        TokenKind.GreaterOrEqual => ">=",
        TokenKind.Less => "<",
        TokenKind.LessOrEqual => "<=",
        TokenKind.Regex => "=~",
        TokenKind.NotRegex => "!~",
        TokenKind.Descendant => ">>",
        TokenKind.Ancestor => "<<",
        TokenKind.Tilde => "~",
        TokenKind.NotChild => "!>",
        TokenKind.NotParent => "!<",
        TokenKind.NotDescendant => "!>>",
        TokenKind.NotAncestor => "!<<",
        TokenKind.Plus => "+",
        TokenKind.Minus => "-",
        TokenKind.Star => "*",
        TokenKind.Slash => "/",
        TokenKind.Percent => "%",
        TokenKind.Caret => "^",
        _ => kind.ToString(),
    };
}
