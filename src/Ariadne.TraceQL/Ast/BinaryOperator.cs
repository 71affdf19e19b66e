namespace Ariadne.TraceQL.Ast;

internal enum BinaryOperator
{
    And,
    Or,
    Equal,
    NotEqual,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Regex,
    NotRegex,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Power,
}
