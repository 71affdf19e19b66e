namespace Ariadne.TraceQL.Ast;

/// <summary>An expression evaluated on a whole spanset: aggregates, numbers and durations, and arithmetic on them.</summary>
internal abstract record ScalarExpression;

internal sealed record AggregateExpression(AggregateKind Kind, FieldExpression? Field) : ScalarExpression;

internal sealed record ScalarLiteral(StaticValue Value) : ScalarExpression;

internal sealed record ScalarOperation(BinaryOperator Operator, ScalarExpression Left, ScalarExpression Right) : ScalarExpression;
