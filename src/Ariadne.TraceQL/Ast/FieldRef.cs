namespace Ariadne.TraceQL.Ast;

/// <summary>An intrinsic, or an attribute in a scope.</summary>
internal sealed record FieldRef(Intrinsic Intrinsic, AttributeScope Scope = AttributeScope.Unscoped, string? Name = null)
{
    public static FieldRef Of(Intrinsic intrinsic) => new(intrinsic);

    public static FieldRef Attribute(AttributeScope scope, string name) => new(Intrinsic.None, scope, name);

    public bool IsAttribute => Intrinsic == Intrinsic.None;
}
