namespace Ariadne.Pipeline;

/// <summary><c>service</c>: the pipelines, as the Collector names them.</summary>
internal sealed class ServiceOptions
{
    /// <summary><c>traces</c> or <c>traces/name</c> → its receivers, processors and exporters.</summary>
    public Dictionary<string, PipelineOptions>? Pipelines { get; set; }
}

/// <summary>One pipeline's components, by id (<c>type</c> or <c>type/name</c>).</summary>
internal sealed class PipelineOptions
{
    public List<string> Receivers { get; set; } = [];

    public List<string> Processors { get; set; } = [];

    public List<string> Exporters { get; set; } = [];
}
