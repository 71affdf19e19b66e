namespace Ariadne.Server.Configuration;

/// <summary>
/// PEM certificate and key for a listener, as the Collector's <c>configtls</c> names them. The files are
/// watched: a replaced certificate is presented from the next handshake on, without a restart. With
/// <see cref="ClientCaFile"/> clients may present a certificate signed by that CA; with
/// <see cref="RequireClientCert"/> they must (mutual TLS).
/// </summary>
internal sealed class TlsServerOptions
{
    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }

    public string? ClientCaFile { get; set; }

    public bool RequireClientCert { get; set; }
}
