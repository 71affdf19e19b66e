using System.Text;
using System.Text.RegularExpressions;
using Ariadne.Model;
using Ariadne.TraceQL.Ast;
using Ariadne.TraceQL.Syntax;

namespace Ariadne.TraceQL.Evaluation;

/// <summary>
/// Runs a parsed query on one trace at a time. The trace enters as one spanset of all its spans; each
/// pipeline stage maps spansets to spansets; the trace matches when any spanset is left. Missing
/// attributes make comparisons false (only <c>= nil</c> finds them); values of different types never
/// compare equal, except integers with floats.
/// </summary>
internal sealed class Evaluator
{
    private readonly Dictionary<FieldExpression, Regex> _regexes = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    public List<Spanset> Evaluate(Pipeline pipeline, TraceView trace)
    {
        var all = new List<int>(trace.Count);
        for (var i = 0; i < trace.Count; i++)
        {
            all.Add(i);
        }

        return Run(pipeline, [new Spanset(trace, all)]);
    }

    private List<Spanset> Run(Pipeline pipeline, List<Spanset> input)
    {
        var current = input;
        foreach (var element in pipeline.Elements)
        {
            if (current.Count == 0)
            {
                break;
            }

            current = Apply(element, current);
        }

        return current;
    }

    private List<Spanset> Apply(PipelineElement element, List<Spanset> input)
    {
        switch (element)
        {
            case SpansetExpression expression:
                var selected = new List<Spanset>();
                foreach (var spanset in input)
                {
                    selected.AddRange(EvaluateSpanset(expression, spanset));
                }

                return selected;
            case ScalarFilter filter:
                return input.FindAll(spanset => Compare(filter.Operator, EvaluateScalar(filter.Left, spanset), EvaluateScalar(filter.Right, spanset)));
            case GroupBy group:
                return GroupSpansets(group, input);
            case Coalesce:
                return [Merge(input[0].Trace, input, [])];
            default:
                return input; // select() changes what is returned with each span, not which spans.
        }
    }

    private List<Spanset> GroupSpansets(GroupBy group, List<Spanset> input)
    {
        var name = "by(" + Printer.Print(group.Field) + ")";
        var output = new List<Spanset>();
        foreach (var spanset in input)
        {
            var groups = new Dictionary<StaticValue, List<int>>();
            var order = new List<StaticValue>();
            foreach (var span in spanset.Spans)
            {
                var value = Evaluate(group.Field, spanset.Trace, span).First;
                if (value.Kind == StaticKind.Nil)
                {
                    continue;
                }

                if (!groups.TryGetValue(value, out var members))
                {
                    groups[value] = members = [];
                    order.Add(value);
                }

                members.Add(span);
            }

            foreach (var value in order)
            {
                output.Add(new Spanset(spanset.Trace, groups[value], [.. spanset.Groups, (name, value)]));
            }
        }

        return output;
    }

    private List<Spanset> EvaluateSpanset(SpansetExpression expression, Spanset input)
    {
        switch (expression)
        {
            case SpansetFilter filter:
                if (filter.Expression is null)
                {
                    return input.Spans.Count > 0 ? [input] : [];
                }

                var kept = new List<int>();
                foreach (var span in input.Spans)
                {
                    if (IsTrue(Evaluate(filter.Expression, input.Trace, span)))
                    {
                        kept.Add(span);
                    }
                }

                return kept.Count > 0 ? [new Spanset(input.Trace, kept, input.Groups)] : [];
            case Pipeline pipeline:
                return Run(pipeline, [input]);
            case SpansetOperation operation:
                var left = EvaluateSpanset(operation.Left, input);
                var right = EvaluateSpanset(operation.Right, input);
                return operation.Operator switch
                {
                    SpansetOperator.And => left.Count > 0 && right.Count > 0 ? [Merge(input.Trace, [.. left, .. right], input.Groups)] : [],
                    SpansetOperator.Or => left.Count + right.Count > 0 ? [Merge(input.Trace, [.. left, .. right], input.Groups)] : [],
                    _ => Structural(operation.Operator, input, left, right),
                };
            default:
                return [];
        }
    }

    /// <summary>The spans on the right that stand (or, negated, do not stand) in the relation to some span on the left.</summary>
    private static List<Spanset> Structural(SpansetOperator op, Spanset input, List<Spanset> left, List<Spanset> right)
    {
        var trace = input.Trace;
        var lhs = new bool[trace.Count];
        foreach (var spanset in left)
        {
            foreach (var span in spanset.Spans)
            {
                lhs[span] = true;
            }
        }

        var related = op switch
        {
            SpansetOperator.Child or SpansetOperator.NotChild => ChildrenOf(trace, lhs),
            SpansetOperator.Parent or SpansetOperator.NotParent => ParentsOf(trace, lhs),
            SpansetOperator.Descendant or SpansetOperator.NotDescendant => DescendantsOf(trace, lhs),
            SpansetOperator.Ancestor or SpansetOperator.NotAncestor => AncestorsOf(trace, lhs),
            _ => SiblingsOf(trace, lhs),
        };
        var negated = op is SpansetOperator.NotChild or SpansetOperator.NotParent or SpansetOperator.NotDescendant
            or SpansetOperator.NotAncestor or SpansetOperator.NotSibling;

        var result = new SortedSet<int>();
        foreach (var spanset in right)
        {
            foreach (var span in spanset.Spans)
            {
                if (related[span] != negated)
                {
                    result.Add(span);
                }
            }
        }

        return result.Count > 0 ? [new Spanset(trace, [.. result], input.Groups)] : [];
    }

    private static bool[] ChildrenOf(TraceView trace, bool[] lhs)
    {
        var result = new bool[trace.Count];
        for (var i = 0; i < trace.Count; i++)
        {
            result[i] = trace.Parents[i] >= 0 && lhs[trace.Parents[i]];
        }

        return result;
    }

    private static bool[] ParentsOf(TraceView trace, bool[] lhs)
    {
        var result = new bool[trace.Count];
        for (var i = 0; i < trace.Count; i++)
        {
            if (lhs[i] && trace.Parents[i] >= 0)
            {
                result[trace.Parents[i]] = true;
            }
        }

        return result;
    }

    private static bool[] DescendantsOf(TraceView trace, bool[] lhs)
    {
        var result = new bool[trace.Count];
        for (var i = 0; i < trace.Count; i++)
        {
            // Walk up at most Count steps, so a cycle of bad parent ids cannot loop forever.
            var p = trace.Parents[i];
            for (var steps = 0; p >= 0 && steps < trace.Count; steps++, p = trace.Parents[p])
            {
                if (lhs[p])
                {
                    result[i] = true;
                    break;
                }
            }
        }

        return result;
    }

    private static bool[] AncestorsOf(TraceView trace, bool[] lhs)
    {
        var result = new bool[trace.Count];
        for (var i = 0; i < trace.Count; i++)
        {
            if (!lhs[i])
            {
                continue;
            }

            var p = trace.Parents[i];
            for (var steps = 0; p >= 0 && steps < trace.Count && !result[p]; steps++, p = trace.Parents[p])
            {
                result[p] = true;
            }
        }

        return result;
    }

    private static bool[] SiblingsOf(TraceView trace, bool[] lhs)
    {
        var perParent = new int[trace.Count];
        for (var i = 0; i < trace.Count; i++)
        {
            if (lhs[i] && trace.Parents[i] >= 0)
            {
                perParent[trace.Parents[i]]++;
            }
        }

        var result = new bool[trace.Count];
        for (var i = 0; i < trace.Count; i++)
        {
            var parent = trace.Parents[i];
            result[i] = parent >= 0 && perParent[parent] - (lhs[i] ? 1 : 0) > 0;
        }

        return result;
    }

    private static Spanset Merge(TraceView trace, List<Spanset> spansets, IReadOnlyList<(string, StaticValue)> groups)
    {
        var spans = new SortedSet<int>();
        foreach (var spanset in spansets)
        {
            spans.UnionWith(spanset.Spans);
        }

        return new Spanset(trace, [.. spans], groups);
    }

    private StaticValue EvaluateScalar(ScalarExpression expression, Spanset spanset)
    {
        switch (expression)
        {
            case ScalarLiteral literal:
                return literal.Value;
            case ScalarOperation operation:
                return Arithmetic(operation.Operator, EvaluateScalar(operation.Left, spanset), EvaluateScalar(operation.Right, spanset));
            case AggregateExpression { Kind: AggregateKind.Count }:
                return StaticValue.Int(spanset.Spans.Count);
            case AggregateExpression aggregate:
                var count = 0;
                double total = 0, min = double.MaxValue, max = double.MinValue;
                var durations = true;
                foreach (var span in spanset.Spans)
                {
                    var value = Evaluate(aggregate.Field!, spanset.Trace, span).First;
                    double number;
                    switch (value.Kind)
                    {
                        case StaticKind.Int or StaticKind.Duration:
                            number = value.Integer;
                            break;
                        case StaticKind.Float:
                            number = value.Float;
                            break;
                        default:
                            continue;
                    }

                    durations &= value.Kind == StaticKind.Duration;
                    count++;
                    total += number;
                    min = Math.Min(min, number);
                    max = Math.Max(max, number);
                }

                if (count == 0)
                {
                    return StaticValue.Nil;
                }

                var result = aggregate.Kind switch
                {
                    AggregateKind.Avg => total / count,
                    AggregateKind.Min => min,
                    AggregateKind.Max => max,
                    _ => total,
                };
                return durations ? StaticValue.Duration((long)result) : StaticValue.FloatValue(result);
            default:
                return StaticValue.Nil;
        }
    }

    public ValueSet Evaluate(FieldExpression expression, TraceView trace, int span)
    {
        switch (expression)
        {
            case StaticExpression s:
                return new ValueSet(s.Value);
            case AttributeExpression a:
                return Lookup(a.Field, trace, span);
            case UnaryExpression { Operator: UnaryOperator.Not } not:
                var operand = Evaluate(not.Operand, trace, span).First;
                return operand.Kind == StaticKind.Bool ? new ValueSet(StaticValue.Bool(!operand.BoolValue)) : ValueSet.Nil;
            case UnaryExpression negate:
                return new ValueSet(Arithmetic(BinaryOperator.Subtract, Zero(Evaluate(negate.Operand, trace, span).First), Evaluate(negate.Operand, trace, span).First));
            case BinaryExpression binary:
                return new ValueSet(EvaluateBinary(binary, trace, span));
            default:
                return ValueSet.Nil;
        }
    }

    private static StaticValue Zero(StaticValue like) => like.Kind switch
    {
        StaticKind.Float => StaticValue.FloatValue(0),
        StaticKind.Duration => StaticValue.Duration(0),
        _ => StaticValue.Int(0),
    };

    private StaticValue EvaluateBinary(BinaryExpression binary, TraceView trace, int span)
    {
        switch (binary.Operator)
        {
            case BinaryOperator.And:
                return StaticValue.Bool(IsTrue(Evaluate(binary.Left, trace, span)) && IsTrue(Evaluate(binary.Right, trace, span)));
            case BinaryOperator.Or:
                return StaticValue.Bool(IsTrue(Evaluate(binary.Left, trace, span)) || IsTrue(Evaluate(binary.Right, trace, span)));
            case BinaryOperator.Regex or BinaryOperator.NotRegex:
                var regex = Regex(binary);
                var subjects = Evaluate(binary.Left, trace, span);
                for (var i = 0; i < subjects.Count; i++)
                {
                    var subject = subjects[i];
                    if (subject.Kind == StaticKind.String && regex.IsMatch(subject.Text!) == (binary.Operator == BinaryOperator.Regex))
                    {
                        return StaticValue.Bool(true);
                    }
                }

                return StaticValue.Bool(false);
            case BinaryOperator.Equal or BinaryOperator.NotEqual or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual
                or BinaryOperator.Less or BinaryOperator.LessOrEqual:
                var left = Evaluate(binary.Left, trace, span);
                var right = Evaluate(binary.Right, trace, span);
                if (binary.Right is StaticExpression { Value.Kind: StaticKind.Nil } || binary.Left is StaticExpression { Value.Kind: StaticKind.Nil })
                {
                    var other = binary.Right is StaticExpression { Value.Kind: StaticKind.Nil } ? left : right;
                    var isNil = other.First.Kind == StaticKind.Nil;
                    return StaticValue.Bool(binary.Operator == BinaryOperator.Equal ? isNil : !isNil);
                }

                for (var i = 0; i < left.Count; i++)
                {
                    for (var j = 0; j < right.Count; j++)
                    {
                        if (Compare(binary.Operator, left[i], right[j]))
                        {
                            return StaticValue.Bool(true);
                        }
                    }
                }

                return StaticValue.Bool(false);
            default:
                return Arithmetic(binary.Operator, Evaluate(binary.Left, trace, span).First, Evaluate(binary.Right, trace, span).First);
        }
    }

    private Regex Regex(BinaryExpression binary)
    {
        if (!_regexes.TryGetValue(binary, out var regex))
        {
            // Anchored at both ends, as Tempo anchors =~ and !~: the whole value must match.
            var pattern = ((StaticExpression)binary.Right).Value.Text!;
            regex = new Regex("^(?:" + pattern + ")$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            _regexes[binary] = regex;
        }

        return regex;
    }

    public static bool IsTrue(ValueSet value)
    {
        for (var i = 0; i < value.Count; i++)
        {
            if (value[i] is { Kind: StaticKind.Bool, Integer: not 0 })
            {
                return true;
            }
        }

        return false;
    }

    public static bool Compare(BinaryOperator op, StaticValue left, StaticValue right)
    {
        int order;
        if (left.Kind is StaticKind.Int or StaticKind.Float && right.Kind is StaticKind.Int or StaticKind.Float)
        {
            if (left.Kind == StaticKind.Int && right.Kind == StaticKind.Int)
            {
                order = left.Integer.CompareTo(right.Integer);
            }
            else
            {
                var l = left.Kind == StaticKind.Int ? left.Integer : left.Float;
                var r = right.Kind == StaticKind.Int ? right.Integer : right.Float;
                if (double.IsNaN(l) || double.IsNaN(r))
                {
                    return op == BinaryOperator.NotEqual;
                }

                order = l.CompareTo(r);
            }
        }
        else if (left.Kind != right.Kind || left.Kind == StaticKind.Nil)
        {
            return false;
        }
        else if (left.Kind == StaticKind.String)
        {
            order = string.CompareOrdinal(left.Text, right.Text);
        }
        else
        {
            order = left.Integer.CompareTo(right.Integer);
        }

        return op switch
        {
            BinaryOperator.Equal => order == 0,
            BinaryOperator.NotEqual => order != 0,
            BinaryOperator.Greater => order > 0,
            BinaryOperator.GreaterOrEqual => order >= 0,
            BinaryOperator.Less => order < 0,
            BinaryOperator.LessOrEqual => order <= 0,
            _ => false,
        };
    }

    public static StaticValue Arithmetic(BinaryOperator op, StaticValue left, StaticValue right)
    {
        var leftDuration = left.Kind == StaticKind.Duration;
        var rightDuration = right.Kind == StaticKind.Duration;
        if (!IsNumeric(left) || !IsNumeric(right))
        {
            return StaticValue.Nil;
        }

        if (left.Kind == StaticKind.Int && right.Kind == StaticKind.Int && op is not (BinaryOperator.Divide or BinaryOperator.Power))
        {
            return op switch
            {
                BinaryOperator.Add => StaticValue.Int(unchecked(left.Integer + right.Integer)),
                BinaryOperator.Subtract => StaticValue.Int(unchecked(left.Integer - right.Integer)),
                BinaryOperator.Multiply => StaticValue.Int(unchecked(left.Integer * right.Integer)),
                _ => right.Integer == 0 ? StaticValue.Nil : StaticValue.Int(left.Integer % right.Integer),
            };
        }

        var l = left.Kind == StaticKind.Float ? left.Float : left.Integer;
        var r = right.Kind == StaticKind.Float ? right.Float : right.Integer;
        var result = op switch
        {
            BinaryOperator.Add => l + r,
            BinaryOperator.Subtract => l - r,
            BinaryOperator.Multiply => l * r,
            BinaryOperator.Divide => l / r,
            BinaryOperator.Modulo => l % r,
            _ => Math.Pow(l, r),
        };

        // A duration stays a duration unless two durations are divided (a ratio).
        if ((leftDuration || rightDuration) && !(leftDuration && rightDuration && op == BinaryOperator.Divide) && double.IsFinite(result))
        {
            return StaticValue.Duration((long)result);
        }

        return double.IsFinite(result) ? StaticValue.FloatValue(result) : StaticValue.Nil;
    }

    private static bool IsNumeric(StaticValue value) => value.Kind is StaticKind.Int or StaticKind.Float or StaticKind.Duration;

    private ValueSet Lookup(FieldRef field, TraceView trace, int position)
    {
        var batch = trace.Batch;
        ref readonly var span = ref trace.Span(position);
        switch (field.Intrinsic)
        {
            case Intrinsic.Name: return new ValueSet(StaticValue.String(batch.GetString(span.Name)));
            case Intrinsic.Status: return new ValueSet(StaticValue.Status(span.StatusCode));
            case Intrinsic.StatusMessage: return new ValueSet(StaticValue.String(batch.GetString(span.StatusMessage)));
            case Intrinsic.Kind: return new ValueSet(StaticValue.SpanKind(span.Kind));
            case Intrinsic.Duration: return new ValueSet(StaticValue.Duration((long)span.DurationNanos));
            case Intrinsic.TraceDuration: return new ValueSet(StaticValue.Duration(trace.DurationNanos));
            case Intrinsic.RootName: return new ValueSet(StaticValue.String(trace.RootName));
            case Intrinsic.RootServiceName: return new ValueSet(StaticValue.String(trace.RootServiceName));
            case Intrinsic.SpanId: return new ValueSet(StaticValue.String(span.SpanId.ToString()));
            case Intrinsic.ParentId: return span.ParentSpanId.Value == 0 ? ValueSet.Nil : new ValueSet(StaticValue.String(span.ParentSpanId.ToString()));
            case Intrinsic.TraceId: return new ValueSet(StaticValue.String(span.TraceId.ToString()));
            case Intrinsic.InstrumentationName: return new ValueSet(StaticValue.String(batch.GetString(batch.Scopes[span.ScopeIndex].Name)));
            case Intrinsic.InstrumentationVersion: return new ValueSet(StaticValue.String(batch.GetString(batch.Scopes[span.ScopeIndex].Version)));
            case Intrinsic.EventName or Intrinsic.EventTimeSinceStart:
            {
                var values = new List<StaticValue>(span.Events.Count);
                foreach (ref readonly var e in batch.Events.Rows.Slice(span.Events.Start, span.Events.Count))
                {
                    values.Add(field.Intrinsic == Intrinsic.EventName
                        ? StaticValue.String(batch.GetString(e.Name))
                        : StaticValue.Duration((long)(e.TimeUnixNano - span.StartTimeUnixNano)));
                }

                return new ValueSet(values);
            }

            case Intrinsic.LinkTraceId or Intrinsic.LinkSpanId:
            {
                var values = new List<StaticValue>(span.Links.Count);
                foreach (ref readonly var link in batch.Links.Rows.Slice(span.Links.Start, span.Links.Count))
                {
                    values.Add(StaticValue.String(field.Intrinsic == Intrinsic.LinkTraceId ? link.TraceId.ToString() : link.SpanId.ToString()));
                }

                return new ValueSet(values);
            }
        }

        var key = Key(field.Name!);
        switch (field.Scope)
        {
            case AttributeScope.Span:
                return new ValueSet(Find(batch, span.Attributes, key));
            case AttributeScope.Resource:
                return new ValueSet(Find(batch, batch.Resources[batch.Scopes[span.ScopeIndex].ResourceIndex].Attributes, key));
            case AttributeScope.Instrumentation:
                return new ValueSet(Find(batch, batch.Scopes[span.ScopeIndex].Attributes, key));
            case AttributeScope.Unscoped:
                var own = Find(batch, span.Attributes, key);
                return new ValueSet(own.Kind != StaticKind.Nil ? own : Find(batch, batch.Resources[batch.Scopes[span.ScopeIndex].ResourceIndex].Attributes, key));
            case AttributeScope.Event:
            {
                var values = new List<StaticValue>();
                foreach (ref readonly var e in batch.Events.Rows.Slice(span.Events.Start, span.Events.Count))
                {
                    AddIfPresent(values, Find(batch, e.Attributes, key));
                }

                return new ValueSet(values);
            }

            default:
            {
                var values = new List<StaticValue>();
                foreach (ref readonly var link in batch.Links.Rows.Slice(span.Links.Start, span.Links.Count))
                {
                    AddIfPresent(values, Find(batch, link.Attributes, key));
                }

                return new ValueSet(values);
            }
        }
    }

    private static void AddIfPresent(List<StaticValue> values, StaticValue value)
    {
        if (value.Kind != StaticKind.Nil)
        {
            values.Add(value);
        }
    }

    private byte[] Key(string name)
    {
        if (!_keys.TryGetValue(name, out var key))
        {
            _keys[name] = key = Encoding.UTF8.GetBytes(name);
        }

        return key;
    }

    private static StaticValue Find(SpanBatch batch, RowRange attributes, byte[] key)
    {
        foreach (ref readonly var kv in batch.AttributesOf(attributes))
        {
            if (batch.Utf8(kv.Key).SequenceEqual(key))
            {
                return Convert(batch, kv.Value);
            }
        }

        return StaticValue.Nil;
    }

    public static StaticValue Convert(SpanBatch batch, AnyValue value) => value.Kind switch
    {
        ValueKind.String => StaticValue.String(batch.GetString(value.StringRef)),
        ValueKind.Int => StaticValue.Int(value.IntValue),
        ValueKind.Double => StaticValue.FloatValue(value.DoubleValue),
        ValueKind.Bool => StaticValue.Bool(value.BoolValue),
        _ => StaticValue.Nil,
    };
}
