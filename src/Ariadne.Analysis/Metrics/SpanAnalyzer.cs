using System.Text;
using Ariadne.Model;

namespace Ariadne.Analysis.Metrics;

/// <summary>
/// What ingest calls on every accepted batch before any processor or sampler sees it: span metrics and
/// the service graph, each optional. Series live in memory from the process's start.
/// </summary>
internal sealed class SpanAnalyzer
{
    private readonly TimeProvider _time;

    public SpanAnalyzer(SpanMetricsSettings? spanMetrics, ServiceGraphSettings? serviceGraph, TimeProvider time)
    {
        _time = time;
        SpanMetrics = spanMetrics is null ? null : new SpanMetrics(spanMetrics);
        ServiceGraph = serviceGraph is null ? null : new ServiceGraph(serviceGraph);
    }

    public SpanMetrics? SpanMetrics { get; }

    public ServiceGraph? ServiceGraph { get; }

    public long NowUnixMillis => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public void Observe(SpanBatch batch)
    {
        SpanMetrics?.Observe(batch);
        ServiceGraph?.Observe(batch, NowUnixMillis);
    }

    /// <summary>Every series, in the Prometheus text format or, with exemplars, in OpenMetrics.</summary>
    public void WriteTo(StringBuilder text, bool openMetrics)
    {
        SpanMetrics?.WriteTo(text, openMetrics);
        ServiceGraph?.WriteTo(text, openMetrics, NowUnixMillis);
    }
}
