namespace Ariadne.TraceQL.Ast;

internal enum AggregateKind
{
    Count,
    Avg,
    Min,
    Max,
    Sum,
}
