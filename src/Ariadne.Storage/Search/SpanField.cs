namespace Ariadne.Storage.Search;

/// <summary>What a <see cref="SpanPredicate"/> looks at.</summary>
internal enum SpanField
{
    /// <summary>The resource's <c>service.name</c>.</summary>
    ServiceName,
    Name,
    Status,
    Kind,
    StatusMessage,

    /// <summary>End minus start, in nanoseconds.</summary>
    Duration,

    /// <summary>An attribute of the span itself.</summary>
    SpanAttribute,

    /// <summary>An attribute of the span's resource.</summary>
    ResourceAttribute,

    /// <summary>An attribute of the span or, failing that, of its resource.</summary>
    AnyAttribute,
}
