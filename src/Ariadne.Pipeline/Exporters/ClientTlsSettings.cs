namespace Ariadne.Pipeline.Exporters;

/// <summary>
/// An exporter's TLS, in the Collector's <c>configtls</c> names: <c>ca_file</c> (the only CA trusted for
/// the server's certificate; absent: the system's), <c>cert_file</c> and <c>key_file</c> (a client
/// certificate for servers that require one), <c>insecure_skip_verify</c> (accept any server certificate).
/// </summary>
internal sealed record ClientTlsSettings(string? CaFile, string? CertFile, string? KeyFile, bool InsecureSkipVerify);
