using Ariadne.Pipeline;
using Ariadne.Storage;
using Ariadne.Storage.Tail;

namespace Ariadne.Server.Ingest;

/// <summary>The tail-sampling stage of every pipeline that has one, opened with the storage.</summary>
internal sealed class TailSamplingStages
{
    public const string Directory = "tail";

    private readonly PipelineRouter _router;
    private readonly SpanStoreOptions _storage;
    private readonly TimeProvider _time;
    private readonly Export.ExporterHub _exporters;
    private Dictionary<SpanPipeline, TailSamplingStage> _stages = new();

    public TailSamplingStages(PipelineRouter router, SpanStoreOptions storage, Export.ExporterHub exporters, TimeProvider time)
    {
        _exporters = exporters;
        _router = router;
        _storage = storage;
        _time = time;
    }

    public IReadOnlyCollection<TailSamplingStage> All => _stages.Values;

    public TailSamplingStage? For(SpanPipeline pipeline) => _stages.GetValueOrDefault(pipeline);

    /// <summary>Opens each pipeline's trace buffer, rebuilding undecided traces and cached decisions from its log.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken = default)
    {
        var stages = new Dictionary<SpanPipeline, TailSamplingStage>();
        foreach (var pipeline in _router.Pipelines)
        {
            if (pipeline.TailSampling is null)
            {
                continue;
            }

            var folder = Path.Combine(_storage.DataDirectory, Directory, (pipeline.Id + "." + pipeline.TailSampling.Id).Replace('/', '_'));
            var buffer = await TraceBuffer.OpenAsync(folder, _storage.Device, _storage.MaxGroupCommitDelay ?? TimeSpan.Zero, cancellationToken: cancellationToken);
            stages[pipeline] = new TailSamplingStage(pipeline, buffer, _exporters, _time);
        }

        _stages = stages;
    }

    public async ValueTask CloseAsync()
    {
        foreach (var stage in _stages.Values)
        {
            await stage.Buffer.DisposeAsync();
        }
    }
}
