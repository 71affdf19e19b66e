namespace Ariadne.Server.Configuration;

internal sealed class QueryOptions
{
    /// <summary>The UI, the Jaeger-compatible API, health and metrics.</summary>
    public string Endpoint { get; set; } = "localhost:16686";

    /// <summary>The Tempo-compatible API, so Grafana's Tempo data source works.</summary>
    public string TempoEndpoint { get; set; } = "localhost:3200";

    public TlsServerOptions? Tls { get; set; }

    /// <summary>The most traces one search returns, whatever limit it asks for.</summary>
    public int MaxSearchLimit { get; set; } = 1000;

    /// <summary>The most spans a search returns per matching spanset, whatever <c>spss</c> it asks for.</summary>
    public int MaxSpansPerSpanSet { get; set; } = 100;

    /// <summary>A search running longer than this is stopped and answered with an error.</summary>
    public TimeSpan SearchTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
