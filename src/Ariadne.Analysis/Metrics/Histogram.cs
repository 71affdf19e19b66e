using Ariadne.Model;

namespace Ariadne.Analysis.Metrics;

/// <summary>
/// One histogram series: per-bucket counts (not cumulative), the sum and, optionally, the most recent
/// exemplar of each bucket. Not thread-safe; its owner serialises access.
/// </summary>
internal sealed class Histogram
{
    public Histogram(HistogramLayout layout, bool exemplars)
    {
        Layout = layout;
        Counts = new long[layout.BucketCount];
        Exemplars = exemplars ? new Exemplar[layout.BucketCount] : null;
    }

    private Histogram(HistogramLayout layout, long[] counts, Exemplar[]? exemplars, long count, double sum)
    {
        Layout = layout;
        Counts = counts;
        Exemplars = exemplars;
        Count = count;
        SumSeconds = sum;
    }

    public HistogramLayout Layout { get; }

    public long[] Counts { get; }

    /// <summary>The latest span seen in each bucket; null when exemplars are not kept.</summary>
    public Exemplar[]? Exemplars { get; }

    public long Count { get; private set; }

    public double SumSeconds { get; private set; }

    public void Record(ulong nanos)
    {
        Counts[Layout.BucketOf(nanos)]++;
        Count++;
        SumSeconds += nanos / 1e9;
    }

    public void Record(ulong nanos, in SpanRow span)
    {
        var bucket = Layout.BucketOf(nanos);
        Counts[bucket]++;
        Count++;
        var seconds = nanos / 1e9;
        SumSeconds += seconds;
        if (Exemplars is not null)
        {
            Exemplars[bucket] = new Exemplar(span.TraceId, span.SpanId, seconds, span.EndTimeUnixNano);
        }
    }

    /// <summary>A copy that the exposition can read while spans keep arriving.</summary>
    public Histogram Snapshot() => new(Layout, (long[])Counts.Clone(), (Exemplar[]?)Exemplars?.Clone(), Count, SumSeconds);
}
