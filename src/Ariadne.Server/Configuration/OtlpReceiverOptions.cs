namespace Ariadne.Server.Configuration;

internal sealed class OtlpReceiverOptions
{
    public OtlpProtocolsOptions Protocols { get; set; } = new();
}
