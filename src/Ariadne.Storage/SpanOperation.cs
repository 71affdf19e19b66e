using Ariadne.Model;

namespace Ariadne.Storage;

/// <summary>A service's operation: a span name with the kind of span it was recorded as.</summary>
internal readonly record struct SpanOperation(string Service, string Name, SpanKind Kind);
