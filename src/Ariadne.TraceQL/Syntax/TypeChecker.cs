using Ariadne.TraceQL.Ast;

namespace Ariadne.TraceQL.Syntax;

/// <summary>
/// Rejects queries whose types cannot work, before anything is fetched: comparing a duration with a
/// string, a regular expression that is not a string literal, arithmetic on strings, a filter that is
/// not a condition. Attributes have no static type, so anything may be compared with them.
/// </summary>
internal static class TypeChecker
{
    /// <summary>Static type, or null when only known at run time (attributes).</summary>
    private static StaticKind? TypeOf(FieldRef field) => field.Intrinsic switch
    {
        Intrinsic.None => null,
        Intrinsic.Status => StaticKind.Status,
        Intrinsic.Kind => StaticKind.Kind,
        Intrinsic.Duration or Intrinsic.TraceDuration or Intrinsic.EventTimeSinceStart => StaticKind.Duration,
        _ => StaticKind.String,
    };

    public static void Check(Pipeline pipeline, string query)
    {
        foreach (var element in pipeline.Elements)
        {
            Check(element, query);
        }
    }

    private static void Check(PipelineElement element, string query)
    {
        switch (element)
        {
            case SpansetFilter { Expression: { } expression }:
                var type = TypeOf(expression, query);
                if (type is not null and not StaticKind.Bool)
                {
                    throw TraceQLException.At(query, expression.Position, $"a spanset filter must be a condition, but this is a {Name(type.Value)}: compare it, as in {{ name = \"x\" }}");
                }

                break;
            case SpansetOperation operation:
                Check(operation.Left, query);
                Check(operation.Right, query);
                break;
            case Pipeline inner:
                Check(inner, query);
                break;
            case GroupBy group:
                TypeOf(group.Field, query);
                break;
            case ScalarFilter filter:
                var left = TypeOf(filter.Left, query);
                var right = TypeOf(filter.Right, query);
                if (!Comparable(left, right))
                {
                    throw TraceQLException.At(query, 0, $"cannot compare a {Name(left!.Value)} with a {Name(right!.Value)} in a pipeline filter");
                }

                break;
        }
    }

    private static StaticKind? TypeOf(ScalarExpression expression, string query) => expression switch
    {
        ScalarLiteral literal => literal.Value.Kind,
        AggregateExpression { Kind: AggregateKind.Count } => StaticKind.Int,
        AggregateExpression aggregate => AggregateType(aggregate, query),
        ScalarOperation operation => Arithmetic(TypeOf(operation.Left, query), TypeOf(operation.Right, query), operation.Operator, query, 0),
        _ => null,
    };

    private static StaticKind? AggregateType(AggregateExpression aggregate, string query)
    {
        var type = TypeOf(aggregate.Field!, query);
        if (type is not (null or StaticKind.Int or StaticKind.Float or StaticKind.Duration))
        {
            throw TraceQLException.At(query, aggregate.Field!.Position, $"{aggregate.Kind.ToString().ToLowerInvariant()}() needs a number or a duration, not a {Name(type.Value)}");
        }

        return type is StaticKind.Duration ? StaticKind.Duration : type is null ? null : StaticKind.Float;
    }

    private static StaticKind? TypeOf(FieldExpression expression, string query)
    {
        switch (expression)
        {
            case StaticExpression s:
                return s.Value.Kind;
            case AttributeExpression a:
                return TypeOf(a.Field);
            case UnaryExpression { Operator: UnaryOperator.Not } not:
                var operand = TypeOf(not.Operand, query);
                if (operand is not null and not StaticKind.Bool)
                {
                    throw TraceQLException.At(query, not.Position, $"'!' needs a condition, not a {Name(operand.Value)}");
                }

                return StaticKind.Bool;
            case UnaryExpression negate:
                var value = TypeOf(negate.Operand, query);
                if (value is not null and not (StaticKind.Int or StaticKind.Float or StaticKind.Duration))
                {
                    throw TraceQLException.At(query, negate.Position, $"'-' needs a number or a duration, not a {Name(value.Value)}");
                }

                return value;
            case BinaryExpression binary:
                var left = TypeOf(binary.Left, query);
                var right = TypeOf(binary.Right, query);
                switch (binary.Operator)
                {
                    case BinaryOperator.And or BinaryOperator.Or:
                        foreach (var side in new[] { (left, binary.Left), (right, binary.Right) })
                        {
                            if (side.Item1 is not null and not StaticKind.Bool)
                            {
                                throw TraceQLException.At(query, side.Item2.Position, $"'{(binary.Operator == BinaryOperator.And ? "&&" : "||")}' joins conditions, but this is a {Name(side.Item1.Value)}");
                            }
                        }

                        return StaticKind.Bool;
                    case BinaryOperator.Regex or BinaryOperator.NotRegex:
                        if (binary.Right is not StaticExpression { Value.Kind: StaticKind.String } pattern)
                        {
                            throw TraceQLException.At(query, binary.Right.Position, "a regular expression must be a string, as in name =~ \"GET .*\"");
                        }

                        if (left is not null and not StaticKind.String)
                        {
                            throw TraceQLException.At(query, binary.Position, $"a regular expression matches strings, not a {Name(left.Value)}");
                        }

                        try
                        {
                            _ = new System.Text.RegularExpressions.Regex(pattern.Value.Text!, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
                        }
                        catch (ArgumentException e)
                        {
                            throw TraceQLException.At(query, binary.Right.Position, $"invalid regular expression: {e.Message}");
                        }

                        return StaticKind.Bool;
                    case BinaryOperator.Equal or BinaryOperator.NotEqual or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual
                        or BinaryOperator.Less or BinaryOperator.LessOrEqual:
                        if (left == StaticKind.Nil || right == StaticKind.Nil)
                        {
                            if (binary.Operator is not (BinaryOperator.Equal or BinaryOperator.NotEqual))
                            {
                                throw TraceQLException.At(query, binary.Position, "nil can only be compared with = or !=");
                            }

                            return StaticKind.Bool;
                        }

                        if (!Comparable(left, right))
                        {
                            throw TraceQLException.At(query, binary.Position, $"cannot compare a {Name(left!.Value)} with a {Name(right!.Value)}");
                        }

                        if (binary.Operator is not (BinaryOperator.Equal or BinaryOperator.NotEqual)
                            && (left is StaticKind.Bool or StaticKind.Status or StaticKind.Kind || right is StaticKind.Bool or StaticKind.Status or StaticKind.Kind))
                        {
                            throw TraceQLException.At(query, binary.Position, $"a {Name((left ?? right)!.Value)} can only be compared with = or !=");
                        }

                        return StaticKind.Bool;
                    default:
                        return Arithmetic(left, right, binary.Operator, query, binary.Position);
                }

            default:
                return null;
        }
    }

    private static StaticKind? Arithmetic(StaticKind? left, StaticKind? right, BinaryOperator op, string query, int position)
    {
        foreach (var side in new[] { left, right })
        {
            if (side is not null and not (StaticKind.Int or StaticKind.Float or StaticKind.Duration))
            {
                throw TraceQLException.At(query, position, $"arithmetic needs numbers or durations, not a {Name(side.Value)}");
            }
        }

        if (left is null || right is null)
        {
            return null;
        }

        if (left == StaticKind.Duration || right == StaticKind.Duration)
        {
            return StaticKind.Duration;
        }

        return left == StaticKind.Float || right == StaticKind.Float || op == BinaryOperator.Divide ? StaticKind.Float : StaticKind.Int;
    }

    private static bool Comparable(StaticKind? left, StaticKind? right)
    {
        if (left is null || right is null || left == right)
        {
            return true;
        }

        static bool IsNumber(StaticKind kind) => kind is StaticKind.Int or StaticKind.Float;
        return IsNumber(left.Value) && IsNumber(right.Value);
    }

    private static string Name(StaticKind kind) => kind switch
    {
        StaticKind.Nil => "nil",
        StaticKind.String => "string",
        StaticKind.Int => "integer",
        StaticKind.Float => "float",
        StaticKind.Bool => "boolean",
        StaticKind.Duration => "duration",
        StaticKind.Status => "status",
        _ => "kind",
    };
}
