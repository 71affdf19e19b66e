using Ariadne.TraceQL.Ast;

namespace Ariadne.TraceQL.Fetch;

/// <summary>A condition on one span's field, as the query states it: <c>resource.service.name = "payments"</c>.</summary>
internal sealed record Condition(FieldRef Field, ConditionOperator Operator, ValueList<StaticValue> Operands)
{
    public Condition(FieldRef field, ConditionOperator op, StaticValue operand)
        : this(field, op, new ValueList<StaticValue>([operand]))
    {
    }

    public override string ToString() =>
        $"{Syntax.Printer.Print(Field)} {Operator} {string.Join(", ", Operands.Select(o => { var b = new System.Text.StringBuilder(); Syntax.Printer.Write(b, o); return b.ToString(); }))}";
}
