namespace Ariadne.Server.Configuration;

/// <summary>The OTLP/HTTP receiver; option names follow the Collector's <c>confighttp</c>.</summary>
internal sealed class HttpServerOptions
{
    public string Endpoint { get; set; } = "localhost:4318";

    /// <summary>Largest accepted request body after decompression, in bytes.</summary>
    public long MaxRequestBodySize { get; set; } = 64L * 1024 * 1024;

    public TlsServerOptions? Tls { get; set; }
}
