namespace Ariadne.Server.Configuration;

internal sealed class QueryOptions
{
    /// <summary>The UI, the Jaeger-compatible API, health and metrics.</summary>
    public string Endpoint { get; set; } = "localhost:16686";

    /// <summary>The Tempo-compatible API, so Grafana's Tempo data source works.</summary>
    public string TempoEndpoint { get; set; } = "localhost:3200";

    public TlsServerOptions? Tls { get; set; }
}
