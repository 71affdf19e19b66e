namespace Ariadne.TraceQL.Ast;

internal enum AttributeScope
{
    /// <summary><c>.x</c>: the span's attribute, or failing that its resource's.</summary>
    Unscoped,
    Span,
    Resource,
    Event,
    Link,
    Instrumentation,
}
