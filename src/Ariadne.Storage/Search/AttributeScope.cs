namespace Ariadne.Storage.Search;

/// <summary>Where an attribute lives, as TraceQL's scopes name it.</summary>
internal enum AttributeScope
{
    Span,
    Resource,

    /// <summary>Span or resource.</summary>
    Any,
}
