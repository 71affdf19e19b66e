namespace Ariadne.Server.Configuration;

/// <summary>PEM certificate and key for a listener, as the Collector's <c>configtls</c> names them.</summary>
internal sealed class TlsServerOptions
{
    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }
}
