namespace Ariadne.TraceQL.Ast;

/// <summary>An expression evaluated on one span: inside <c>{ }</c>, in <c>by()</c> and in aggregates.</summary>
internal abstract record FieldExpression(int Position);

internal sealed record StaticExpression(StaticValue Value, int Position = 0) : FieldExpression(Position)
{
    public bool Equals(StaticExpression? other) => other is not null && Value.Equals(other.Value);

    public override int GetHashCode() => Value.GetHashCode();
}

internal sealed record AttributeExpression(FieldRef Field, int Position = 0) : FieldExpression(Position)
{
    public bool Equals(AttributeExpression? other) => other is not null && Field.Equals(other.Field);

    public override int GetHashCode() => Field.GetHashCode();
}

internal sealed record BinaryExpression(BinaryOperator Operator, FieldExpression Left, FieldExpression Right, int Position = 0) : FieldExpression(Position)
{
    public bool Equals(BinaryExpression? other) =>
        other is not null && Operator == other.Operator && Left.Equals(other.Left) && Right.Equals(other.Right);

    public override int GetHashCode() => HashCode.Combine(Operator, Left, Right);
}

internal sealed record UnaryExpression(UnaryOperator Operator, FieldExpression Operand, int Position = 0) : FieldExpression(Position)
{
    public bool Equals(UnaryExpression? other) => other is not null && Operator == other.Operator && Operand.Equals(other.Operand);

    public override int GetHashCode() => HashCode.Combine(Operator, Operand);
}
