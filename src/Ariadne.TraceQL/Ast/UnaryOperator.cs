namespace Ariadne.TraceQL.Ast;

internal enum UnaryOperator
{
    Not,
    Negate,
}
