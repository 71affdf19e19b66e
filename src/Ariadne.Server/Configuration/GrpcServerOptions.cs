namespace Ariadne.Server.Configuration;

/// <summary>The OTLP/gRPC receiver; option names follow the Collector's <c>configgrpc</c>.</summary>
internal sealed class GrpcServerOptions
{
    public string Endpoint { get; set; } = "localhost:4317";

    /// <summary>Largest accepted message after decompression, in MiB.</summary>
    public int MaxRecvMsgSizeMib { get; set; } = 64;

    public TlsServerOptions? Tls { get; set; }
}
