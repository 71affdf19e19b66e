namespace Ariadne.Server.Configuration;

internal sealed class ReceiversOptions
{
    public OtlpReceiverOptions Otlp { get; set; } = new();

    public ZipkinReceiverOptions Zipkin { get; set; } = new();
}
