namespace Ariadne.Analysis.Metrics;

/// <summary>An extra span metrics dimension: an attribute name and the value used when a span lacks it (none: the label is left out).</summary>
internal sealed record SpanMetricsDimension(string Name, string? Default = null);
