namespace Ariadne.Server.Configuration;

/// <summary>
/// API keys for writing (every receiver) and for reading (the query ports and the UI). A list left
/// empty leaves that side open, which is only sensible on loopback; <c>ariadne serve</c> warns otherwise.
/// </summary>
internal sealed class AuthOptions
{
    public AuthKeysOptions Ingest { get; set; } = new();

    public AuthKeysOptions Query { get; set; } = new();

    /// <summary>
    /// Whether <c>/metrics</c> answers without a read key. Off by default: span metrics carry service
    /// and operation names, which are the tenants' data.
    /// </summary>
    public bool MetricsPublic { get; set; }

    /// <summary>How long a UI login lasts before the read key has to be entered again.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);
}
