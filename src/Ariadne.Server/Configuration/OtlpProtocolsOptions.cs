namespace Ariadne.Server.Configuration;

internal sealed class OtlpProtocolsOptions
{
    public GrpcServerOptions Grpc { get; set; } = new();

    public HttpServerOptions Http { get; set; } = new();
}
