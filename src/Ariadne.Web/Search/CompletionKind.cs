namespace Ariadne.Web.Search;

internal enum CompletionKind
{
    None,

    /// <summary>A scope, an intrinsic, or a well-known attribute at the start of a condition.</summary>
    Field,

    /// <summary>An attribute name after <c>span.</c>, <c>resource.</c> or <c>.</c>.</summary>
    AttributeName,

    /// <summary>A value after a comparison.</summary>
    Value,
}
