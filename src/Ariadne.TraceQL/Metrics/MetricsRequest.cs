namespace Ariadne.TraceQL.Metrics;

/// <summary>
/// The window and resolution of a metrics query. Spans count in the step interval their start falls
/// in; the window is aligned to whole steps (start rounded down, end up). An instant query has one
/// interval: the whole window.
/// </summary>
internal sealed record MetricsRequest
{
    public required ulong StartUnixNanos { get; init; }

    public required ulong EndUnixNanos { get; init; }

    public required ulong StepNanos { get; init; }

    public bool Instant { get; init; }

    /// <summary>Exemplars (trace ids) per series at most; 0 for none.</summary>
    public int MaxExemplars { get; init; } = 100;
}
