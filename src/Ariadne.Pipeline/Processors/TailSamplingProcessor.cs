using Ariadne.Model;
using Ariadne.Pipeline.TailSampling;

namespace Ariadne.Pipeline.Processors;

/// <summary>
/// Marks where a pipeline's <c>tail_sampling</c> sits: processors before it run when a batch is
/// received; the spans are then buffered durably per trace, and once a trace is decided the
/// processors after it run on the kept traces before they are exported.
/// </summary>
internal sealed class TailSamplingProcessor(TailSampler sampler) : ISpanProcessor
{
    public string Id => Sampler.Id;

    public TailSampler Sampler { get; } = sampler;

    /// <summary>Nothing happens on receipt: the sampler works on whole traces, later.</summary>
    public int Process(SpanBatch batch, Span<bool> drop) => 0;
}
