namespace Ariadne.Server.Configuration;

/// <summary>The Zipkin v2 receiver (<c>POST /api/v2/spans</c>); option names follow the Collector's <c>zipkin</c> receiver.</summary>
internal sealed class ZipkinReceiverOptions
{
    public string Endpoint { get; set; } = "localhost:9411";

    /// <summary>Largest accepted request body after decompression, in bytes.</summary>
    public long MaxRequestBodySize { get; set; } = 64L * 1024 * 1024;

    public TlsServerOptions? Tls { get; set; }
}
