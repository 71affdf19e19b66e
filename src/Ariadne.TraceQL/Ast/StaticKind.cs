namespace Ariadne.TraceQL.Ast;

/// <summary>The type of a literal, and of a value while a query is evaluated.</summary>
internal enum StaticKind
{
    Nil,
    String,
    Int,
    Float,
    Bool,

    /// <summary>Nanoseconds.</summary>
    Duration,
    Status,
    Kind,
}
