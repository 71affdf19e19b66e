namespace Ariadne.TraceQL.Ast;

internal enum SpansetOperator
{
    And,
    Or,
    Child,
    Descendant,
    Parent,
    Ancestor,
    Sibling,
    NotChild,
    NotDescendant,
    NotParent,
    NotAncestor,
    NotSibling,
}
