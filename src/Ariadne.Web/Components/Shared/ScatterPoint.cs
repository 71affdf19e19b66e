namespace Ariadne.Web.Components.Shared;

/// <summary>One trace on the search page's scatter plot.</summary>
public sealed record ScatterPoint(string TraceId, ulong StartUnixNano, double DurationNanos, int Spans, int Errors, string Title);
