namespace Ariadne.Server.Configuration;

/// <summary>
/// The whole configuration, shaped like an OpenTelemetry Collector file plus Ariadne's own sections.
/// Every property has a default, so no file at all is a valid configuration.
/// </summary>
internal sealed class AriadneOptions
{
    public ReceiversOptions Receivers { get; set; } = new();

    /// <summary>Processor id (<c>type</c> or <c>type/name</c>) → its settings, read by the pipeline builder.</summary>
    public Dictionary<string, Dictionary<object, object?>?>? Processors { get; set; }

    /// <summary>Exporter id → its settings, read by the pipeline builder (<c>storage</c> needs none).</summary>
    public Dictionary<string, Dictionary<object, object?>?>? Exporters { get; set; }

    /// <summary>The pipelines; none given means one: otlp and zipkin → span_limits → storage.</summary>
    public Pipeline.ServiceOptions? Service { get; set; }

    public StorageOptions Storage { get; set; } = new();

    public QueryOptions Query { get; set; } = new();

    /// <summary>The remote-sampling endpoint; null (no section) means it is not started.</summary>
    public SamplingOptions? Sampling { get; set; }

    /// <summary>Span metrics and the service graph, computed before any sampling.</summary>
    public AnalysisOptions Analysis { get; set; } = new();

    /// <summary>API keys for writing and reading, and the UI session.</summary>
    public AuthOptions Auth { get; set; } = new();

    /// <summary>Tempo's switch: when on, every write and read names its tenant in <c>X-Scope-OrgID</c>.</summary>
    public bool MultitenancyEnabled { get; set; }

    /// <summary>Per-tenant limits.</summary>
    public OverridesOptions Overrides { get; set; } = new();
}
