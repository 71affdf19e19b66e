using System.Globalization;
using System.Text;
using Ariadne.TraceQL.Ast;

namespace Ariadne.TraceQL.Syntax;

/// <summary>
/// Writes a query in canonical form: every nested binary expression in parentheses, intrinsics in
/// their short spelling, durations in their largest exact unit. Parsing the output gives the same tree.
/// </summary>
internal static class Printer
{
    public static string Print(Pipeline pipeline)
    {
        var builder = new StringBuilder();
        WritePipeline(builder, pipeline);
        return builder.ToString();
    }

    public static string Print(FieldExpression expression)
    {
        var builder = new StringBuilder();
        Write(builder, expression, top: true);
        return builder.ToString();
    }

    public static string Print(FieldRef field) => field.IsAttribute
        ? Names.Of(field.Scope) + (IsPlainName(field.Name!) ? field.Name : Quote(field.Name!))
        : Names.Of(field.Intrinsic);

    private static void WritePipeline(StringBuilder builder, Pipeline pipeline)
    {
        for (var i = 0; i < pipeline.Elements.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(" | ");
            }

            Write(builder, pipeline.Elements[i]);
        }
    }

    private static void Write(StringBuilder builder, PipelineElement element)
    {
        switch (element)
        {
            case SpansetFilter { Expression: null }:
                builder.Append("{ }");
                break;
            case SpansetFilter filter:
                builder.Append("{ ");
                Write(builder, filter.Expression!, top: true);
                builder.Append(" }");
                break;
            case SpansetOperation operation:
                WriteOperand(builder, operation.Left);
                builder.Append(' ').Append(Symbol(operation.Operator)).Append(' ');
                WriteOperand(builder, operation.Right);
                break;
            case Pipeline pipeline:
                builder.Append('(');
                WritePipeline(builder, pipeline);
                builder.Append(')');
                break;
            case ScalarFilter filter:
                Write(builder, filter.Left);
                builder.Append(' ').Append(Symbol(filter.Operator)).Append(' ');
                Write(builder, filter.Right);
                break;
            case GroupBy group:
                builder.Append("by(");
                Write(builder, group.Field, top: true);
                builder.Append(')');
                break;
            case Coalesce:
                builder.Append("coalesce()");
                break;
            case Select select:
                builder.Append("select(");
                for (var i = 0; i < select.Fields.Count; i++)
                {
                    builder.Append(i == 0 ? string.Empty : ", ").Append(Print(select.Fields[i]));
                }

                builder.Append(')');
                break;
        }
    }

    private static void WriteOperand(StringBuilder builder, SpansetExpression operand)
    {
        if (operand is SpansetFilter or Pipeline)
        {
            Write(builder, operand);
            return;
        }

        builder.Append('(');
        Write(builder, operand);
        builder.Append(')');
    }

    private static void Write(StringBuilder builder, ScalarExpression expression)
    {
        switch (expression)
        {
            case AggregateExpression { Kind: AggregateKind.Count }:
                builder.Append("count()");
                break;
            case AggregateExpression aggregate:
                builder.Append(aggregate.Kind.ToString().ToLowerInvariant()).Append('(');
                Write(builder, aggregate.Field!, top: true);
                builder.Append(')');
                break;
            case ScalarLiteral literal:
                Write(builder, literal.Value);
                break;
            case ScalarOperation operation:
                builder.Append('(');
                Write(builder, operation.Left);
                builder.Append(' ').Append(Symbol(operation.Operator)).Append(' ');
                Write(builder, operation.Right);
                builder.Append(')');
                break;
        }
    }

    private static void Write(StringBuilder builder, FieldExpression expression, bool top, bool tight = false)
    {
        switch (expression)
        {
            case StaticExpression s:
                Write(builder, s.Value);
                break;
            case AttributeExpression a:
                builder.Append(Print(a.Field));
                break;
            case UnaryExpression u:
                // Prefix operators bind looser than * / % ^, so as their operand the whole is wrapped too.
                builder.Append(tight ? "(" : string.Empty).Append(u.Operator == UnaryOperator.Not ? "!(" : "-(");
                Write(builder, u.Operand, top: true);
                builder.Append(tight ? "))" : ")");
                break;
            case BinaryExpression b:
                if (!top)
                {
                    builder.Append('(');
                }

                var binding = b.Operator is BinaryOperator.Multiply or BinaryOperator.Divide or BinaryOperator.Modulo or BinaryOperator.Power;
                Write(builder, b.Left, top: false, binding);
                builder.Append(' ').Append(Symbol(b.Operator)).Append(' ');
                Write(builder, b.Right, top: false, binding);
                if (!top)
                {
                    builder.Append(')');
                }

                break;
        }
    }

    public static void Write(StringBuilder builder, StaticValue value)
    {
        switch (value.Kind)
        {
            case StaticKind.Nil:
                builder.Append("nil");
                break;
            case StaticKind.String:
                builder.Append(Quote(value.Text!));
                break;
            case StaticKind.Int:
                builder.Append(value.Integer.ToString(CultureInfo.InvariantCulture));
                break;
            case StaticKind.Float:
                var text = value.Float.ToString("R", CultureInfo.InvariantCulture);
                builder.Append(text);
                if (!text.Contains('.', StringComparison.Ordinal) && !text.Contains('E', StringComparison.Ordinal))
                {
                    builder.Append(".0");
                }

                break;
            case StaticKind.Bool:
                builder.Append(value.BoolValue ? "true" : "false");
                break;
            case StaticKind.Duration:
                builder.Append(Duration(value.Integer));
                break;
            case StaticKind.Status:
                builder.Append(Names.StatusName(value.Integer));
                break;
            case StaticKind.Kind:
                builder.Append(Names.KindName(value.Integer));
                break;
        }
    }

    /// <summary>A duration in its largest unit that holds it exactly: 1500ms, 2h, 90s.</summary>
    public static string Duration(long nanoseconds)
    {
        var sign = nanoseconds < 0 ? "-" : string.Empty;
        var magnitude = nanoseconds == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(nanoseconds);
        (ulong Size, string Unit)[] units = [(3_600_000_000_000, "h"), (60_000_000_000, "m"), (1_000_000_000, "s"), (1_000_000, "ms"), (1_000, "us")];
        foreach (var (size, unit) in units)
        {
            if (magnitude != 0 && magnitude % size == 0)
            {
                return sign + (magnitude / size).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return sign + magnitude.ToString(CultureInfo.InvariantCulture) + "ns";
    }

    public static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\t': builder.Append("\\t"); break;
                case '\r': builder.Append("\\r"); break;
                case < ' ': builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default: builder.Append(c); break;
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>Names that read back as the same identifier without quotes.</summary>
    private static bool IsPlainName(string name)
    {
        if (name.Length == 0 || name.StartsWith('.') || name.EndsWith('.') || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '/'))
            {
                return false;
            }
        }

        return !name.Contains("..", StringComparison.Ordinal);
    }

    private static string Symbol(BinaryOperator op) => op switch
    {
        BinaryOperator.And => "&&",
        BinaryOperator.Or => "||",
        BinaryOperator.Equal => "=",
        BinaryOperator.NotEqual => "!=",
        BinaryOperator.Greater => ">",
        BinaryOperator.GreaterOrEqual => ">=",
        BinaryOperator.Less => "<",
        BinaryOperator.LessOrEqual => "<=",
        BinaryOperator.Regex => "=~",
        BinaryOperator.NotRegex => "!~",
        BinaryOperator.Add => "+",
        BinaryOperator.Subtract => "-",
        BinaryOperator.Multiply => "*",
        BinaryOperator.Divide => "/",
        BinaryOperator.Modulo => "%",
        _ => "^",
    };

    private static string Symbol(SpansetOperator op) => op switch
    {
        SpansetOperator.And => "&&",
        SpansetOperator.Or => "||",
        SpansetOperator.Child => ">",
        SpansetOperator.Descendant => ">>",
        SpansetOperator.Parent => "<",
        SpansetOperator.Ancestor => "<<",
        SpansetOperator.Sibling => "~",
        SpansetOperator.NotChild => "!>",
        SpansetOperator.NotDescendant => "!>>",
        SpansetOperator.NotParent => "!<",
        SpansetOperator.NotAncestor => "!<<",
        _ => "!~",
    };
}
