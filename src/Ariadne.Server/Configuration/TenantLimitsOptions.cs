namespace Ariadne.Server.Configuration;

/// <summary>
/// One tenant's limits under <c>overrides</c>. A field left out takes the value of
/// <c>overrides.defaults</c>; 0 means no limit.
/// </summary>
internal sealed class TenantLimitsOptions
{
    /// <summary>Spans per second one tenant may send (token bucket; a burst of one second's worth).</summary>
    public double? IngestionRateSpans { get; set; }

    /// <summary>Request bytes per second one tenant may send, as received (compressed when the client compressed).</summary>
    public double? IngestionRateBytes { get; set; }

    /// <summary>The most traces a tenant may have in the head (not yet cut into a block); more are refused.</summary>
    public int? MaxLiveTraces { get; set; }

    /// <summary>The most spans one trace may have; spans beyond it are dropped and counted (Tempo's TRACE_TOO_LARGE).</summary>
    public int? MaxSpansPerTrace { get; set; }

    /// <summary>The widest start–end window a search or metrics query may ask for.</summary>
    public TimeSpan? MaxSearchDuration { get; set; }

    /// <summary>The largest <c>limit</c> a search may ask for; a larger one is a 400.</summary>
    public int? MaxSearchLimit { get; set; }

    /// <summary>Blocks older than this are deleted for this tenant (storage.retention.max_age otherwise).</summary>
    public TimeSpan? RetentionMaxAge { get; set; }
}
