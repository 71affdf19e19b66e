namespace Ariadne.Server.Tenancy;

/// <summary>One tenant's limits with every default applied; 0 (or a zero duration) means no limit.</summary>
internal sealed record ResolvedLimits(
    double IngestionRateSpans,
    double IngestionRateBytes,
    int MaxLiveTraces,
    int MaxSpansPerTrace,
    TimeSpan MaxSearchDuration,
    int MaxSearchLimit,
    TimeSpan RetentionMaxAge);
