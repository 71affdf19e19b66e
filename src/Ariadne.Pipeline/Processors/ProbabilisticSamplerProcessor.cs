using Ariadne.Model;

namespace Ariadne.Pipeline.Processors;

/// <summary>
/// Keeps <see cref="SamplingPercentage"/> percent of traces, decided from the trace id alone, as the
/// Collector's probabilistic sampler does in its <c>hash_seed</c> mode: FNV-1a (32-bit) over the seed
/// (4 bytes, little-endian) and the 16 trace-id bytes, the low 14 bits compared with the percentage
/// scaled to 16,384 buckets. Every instance with the same seed keeps the same traces, and every span
/// of a kept trace is kept.
/// </summary>
internal sealed class ProbabilisticSamplerProcessor : ISpanProcessor
{
    private const uint Buckets = 0x4000;
    private readonly uint _threshold;

    public ProbabilisticSamplerProcessor(string id, double samplingPercentage, uint hashSeed)
    {
        Id = id;
        SamplingPercentage = samplingPercentage;
        HashSeed = hashSeed;
        _threshold = (uint)(Math.Clamp(samplingPercentage, 0, 100) * Buckets / 100);
    }

    public string Id { get; }

    public double SamplingPercentage { get; }

    public uint HashSeed { get; }

    public int Process(SpanBatch batch, Span<bool> drop)
    {
        var spans = batch.Spans.Rows;
        for (var i = 0; i < spans.Length; i++)
        {
            drop[i] |= !Keeps(spans[i].TraceId);
        }

        return 0;
    }

    public bool Keeps(TraceId traceId) => (Hash(traceId, HashSeed) & (Buckets - 1)) < _threshold;

    public static uint Hash(TraceId traceId, uint seed)
    {
        Span<byte> bytes = stackalloc byte[20];
        bytes[0] = (byte)seed;
        bytes[1] = (byte)(seed >> 8);
        bytes[2] = (byte)(seed >> 16);
        bytes[3] = (byte)(seed >> 24);
        traceId.WriteTo(bytes[4..]);
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= 16777619u;
        }

        return hash;
    }
}
