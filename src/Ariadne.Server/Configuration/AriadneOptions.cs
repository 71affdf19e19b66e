namespace Ariadne.Server.Configuration;

/// <summary>
/// The whole configuration, shaped like an OpenTelemetry Collector file plus Ariadne's own sections.
/// Every property has a default, so no file at all is a valid configuration.
/// </summary>
internal sealed class AriadneOptions
{
    public ReceiversOptions Receivers { get; set; } = new();

    public StorageOptions Storage { get; set; } = new();

    public QueryOptions Query { get; set; } = new();
}
