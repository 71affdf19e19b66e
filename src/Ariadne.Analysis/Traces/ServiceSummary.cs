namespace Ariadne.Analysis.Traces;

/// <summary>One service's share of a trace. An empty name stands for spans whose resource has no <c>service.name</c>.</summary>
internal readonly record struct ServiceSummary(string Name, int SpanCount, int ErrorCount);
