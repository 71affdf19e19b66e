using Ariadne.Pipeline;
using Ariadne.Server.Configuration;

namespace Ariadne.Server.Ingest;

/// <summary>The configured pipelines, and which one each receiver feeds (none: the receiver is not started).</summary>
internal sealed class PipelineRouter
{
    private readonly Dictionary<string, SpanPipeline> _byReceiver = new(StringComparer.Ordinal);

    public PipelineRouter(AriadneOptions options)
    {
        var errors = new List<string>();
        Pipelines = PipelineBuilder.Build(options.Processors, options.Exporters, options.Service, errors);
        if (errors.Count > 0)
        {
            throw new ConfigurationException(string.Join(Environment.NewLine, errors));
        }

        foreach (var pipeline in Pipelines)
        {
            foreach (var receiver in pipeline.Receivers)
            {
                _byReceiver[receiver] = pipeline;
            }
        }
    }

    public IReadOnlyList<SpanPipeline> Pipelines { get; }

    public SpanPipeline? For(string receiver) => _byReceiver.GetValueOrDefault(receiver);

    public bool IsEnabled(string receiver) => _byReceiver.ContainsKey(receiver);
}
