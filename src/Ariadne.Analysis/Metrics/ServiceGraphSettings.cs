namespace Ariadne.Analysis.Metrics;

/// <summary>How long and how many unpaired spans the service graph keeps, and its histogram buckets.</summary>
internal sealed class ServiceGraphSettings
{
    /// <summary>Tempo's default service-graph buckets (0.1 s … 12.8 s).</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultBuckets =
    [
        TimeSpan.FromSeconds(0.1), TimeSpan.FromSeconds(0.2), TimeSpan.FromSeconds(0.4), TimeSpan.FromSeconds(0.8),
        TimeSpan.FromSeconds(1.6), TimeSpan.FromSeconds(3.2), TimeSpan.FromSeconds(6.4), TimeSpan.FromSeconds(12.8),
    ];

    /// <summary>How long a span waits for the other side of its request (and a child for its parent).</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Unpaired client and server spans held at once; more are dropped and counted.</summary>
    public int MaxItems { get; init; } = 10_000;

    /// <summary>Distinct client → server edges with series; more go to one overflow series.</summary>
    public int MaxEdges { get; init; } = 10_000;

    /// <summary>Spans remembered per wait period for orphan detection (seen spans, and children waiting for a parent).</summary>
    public int MaxTrackedSpans { get; init; } = 200_000;

    public IReadOnlyList<TimeSpan> HistogramBuckets { get; init; } = DefaultBuckets;

    /// <summary>How far back <c>/api/dependencies</c> can look.</summary>
    public TimeSpan DependencyRetention { get; init; } = TimeSpan.FromHours(24);
}
