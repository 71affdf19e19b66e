namespace Ariadne.Storage.Blocks.V1;

/// <summary>The columns of a V1 page, in the order they are stored.</summary>
internal enum PageColumns
{
    /// <summary>Distinct strings of the page: count, then each as length + UTF-8 bytes.</summary>
    Strings,

    /// <summary>Distinct traces in id order: count, then per trace its id (2 × u64) and span count.</summary>
    Traces,

    /// <summary>Resources: count, then each with attribute count (attributes in the attribute columns), dropped count, schema URL.</summary>
    Resources,

    /// <summary>Scopes: count, then each with resource, name, version, attribute count, dropped count, schema URL.</summary>
    Scopes,

    /// <summary>Per span: span id (u64).</summary>
    SpanIds,

    /// <summary>Per span: parent span id (u64, 0 = root).</summary>
    ParentIds,

    /// <summary>The page's earliest start; per span: start as a delta from it (a trace's first span) or from the span before (zigzag).</summary>
    Times,

    /// <summary>Per span: end minus start (varint). Apart from the starts, whose deltas repeat, so each compresses on its own terms.</summary>
    Durations,

    /// <summary>Per span: scope (varint).</summary>
    ScopeRefs,

    /// <summary>Per span: name (string index).</summary>
    Names,

    /// <summary>Per span: kind | status code &lt;&lt; 4.</summary>
    KindStatus,

    /// <summary>Per span: status message, trace state (string indices), flags, three dropped counts.</summary>
    Details,

    /// <summary>Per attribute owner: attribute count; then per attribute its key (string index).</summary>
    AttributeKeys,

    /// <summary>Per attribute: value type, then the value (string index, zigzag varint, double bits, bytes, nested values).</summary>
    AttributeValues,

    /// <summary>Per span: event count; per event: time delta from span start, name, dropped count.</summary>
    Events,

    /// <summary>Per span: link count; per link: trace id, span id, trace state, flags, dropped count.</summary>
    Links,

    /// <summary>
    /// Per resource, in resource order: its <c>service.name</c> (string; 0 when it has none). The attribute
    /// also stays with the resource's others; this copy lets a search judge the service of every span on
    /// the columns. Absent from pages written before it (16 columns).
    /// </summary>
    ResourceServices,

    Count,
}
