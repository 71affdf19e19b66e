using Ariadne.TraceQL.Ast;

namespace Ariadne.TraceQL.Fetch;

/// <summary>
/// Derives the conditions to push down to a fetcher from a query. The result may be wider than the
/// query (more traces fetched, evaluated and dropped) but never narrower: a conjunct that cannot be
/// expressed is left out; a disjunction is pushed down only when every alternative can be.
/// </summary>
internal static class ConditionExtractor
{
    public static (IReadOnlyList<Condition> Conditions, bool AllConditions) Extract(Pipeline pipeline) =>
        Extract(pipeline.Elements[0]);

    private static (IReadOnlyList<Condition>, bool) Extract(PipelineElement element)
    {
        switch (element)
        {
            case Pipeline inner:
                return Extract(inner.Elements[0]);
            case SpansetFilter filter:
                return FromFilter(filter);
            case SpansetOperation { Operator: SpansetOperator.Or } or:
                var left = Extract(or.Left);
                var right = Extract(or.Right);
                if (IsAlternative(left) && IsAlternative(right))
                {
                    return ([.. left.Item1, .. right.Item1], false);
                }

                return ([], true);
            case SpansetOperation operation:
                // Both sides must have matching spans (for the negated structural operators, the right
                // side): a trace needs a span meeting one side's conditions, whichever is narrower.
                var rightSide = Extract(operation.Right);
                if (operation.Operator is SpansetOperator.NotChild or SpansetOperator.NotParent or SpansetOperator.NotDescendant
                    or SpansetOperator.NotAncestor or SpansetOperator.NotSibling)
                {
                    return rightSide;
                }

                var leftSide = Extract(operation.Left);
                return Score(leftSide) >= Score(rightSide) ? leftSide : rightSide;
            default:
                return ([], true);
        }
    }

    /// <summary>A side of an OR can be pushed down when it is any-of conditions, or exactly one condition.</summary>
    private static bool IsAlternative((IReadOnlyList<Condition> Conditions, bool All) side) =>
        side.Conditions.Count > 0 && (!side.All || side.Conditions.Count == 1);

    private static int Score((IReadOnlyList<Condition> Conditions, bool All) side) =>
        side.All ? side.Conditions.Count * 2 : side.Conditions.Count > 0 ? 1 : 0;

    private static (IReadOnlyList<Condition>, bool) FromFilter(SpansetFilter filter)
    {
        if (filter.Expression is null)
        {
            return ([], true);
        }

        if (filter.Expression is BinaryExpression { Operator: BinaryOperator.Or })
        {
            var alternatives = new List<FieldExpression>();
            Flatten(filter.Expression, BinaryOperator.Or, alternatives);
            var conditions = new List<Condition>();
            foreach (var alternative in alternatives)
            {
                if (ToCondition(alternative) is not { } condition)
                {
                    return ([], true);
                }

                conditions.Add(condition);
            }

            return (conditions, false);
        }

        var conjuncts = new List<FieldExpression>();
        Flatten(filter.Expression, BinaryOperator.And, conjuncts);
        var all = new List<Condition>();
        foreach (var conjunct in conjuncts)
        {
            if (ToCondition(conjunct) is { } condition)
            {
                all.Add(condition);
            }
        }

        return (all, true);
    }

    private static void Flatten(FieldExpression expression, BinaryOperator op, List<FieldExpression> parts)
    {
        if (expression is BinaryExpression binary && binary.Operator == op)
        {
            Flatten(binary.Left, op, parts);
            Flatten(binary.Right, op, parts);
        }
        else
        {
            parts.Add(expression);
        }
    }

    private static Condition? ToCondition(FieldExpression expression)
    {
        if (expression is not BinaryExpression binary)
        {
            return null;
        }

        var (field, value, flipped) = (binary.Left, binary.Right) switch
        {
            (AttributeExpression a, StaticExpression s) => (a.Field, s.Value, false),
            (StaticExpression s, AttributeExpression a) => (a.Field, s.Value, true),
            _ => (null, default, false),
        };
        if (field is null || value.Kind == StaticKind.Nil)
        {
            return null;
        }

        ConditionOperator? op = binary.Operator switch
        {
            BinaryOperator.Equal => ConditionOperator.Equal,
            BinaryOperator.NotEqual => ConditionOperator.NotEqual,
            BinaryOperator.Greater => flipped ? ConditionOperator.Less : ConditionOperator.Greater,
            BinaryOperator.GreaterOrEqual => flipped ? ConditionOperator.LessOrEqual : ConditionOperator.GreaterOrEqual,
            BinaryOperator.Less => flipped ? ConditionOperator.Greater : ConditionOperator.Less,
            BinaryOperator.LessOrEqual => flipped ? ConditionOperator.GreaterOrEqual : ConditionOperator.LessOrEqual,
            BinaryOperator.Regex when !flipped => ConditionOperator.Regex,
            BinaryOperator.NotRegex when !flipped => ConditionOperator.NotRegex,
            _ => null,
        };
        return op is null ? null : new Condition(field, op.Value, value);
    }
}
