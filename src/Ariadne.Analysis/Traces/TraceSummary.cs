using Ariadne.Model;

namespace Ariadne.Analysis.Traces;

/// <summary>The facts a trace list or header shows about one trace, from the spans' own timestamps.</summary>
internal sealed class TraceSummary
{
    private TraceSummary(TraceId traceId, int spanCount, int errorCount, ServiceSummary[] services, string rootService,
        string rootOperation, ulong startUnixNano, ulong endUnixNano, int depth, int rootCount, int orphanCount)
    {
        TraceId = traceId;
        SpanCount = spanCount;
        ErrorCount = errorCount;
        Services = services;
        RootService = rootService;
        RootOperation = rootOperation;
        StartUnixNano = startUnixNano;
        EndUnixNano = endUnixNano;
        Depth = depth;
        RootCount = rootCount;
        OrphanCount = orphanCount;
    }

    public TraceId TraceId { get; }

    public int SpanCount { get; }

    /// <summary>Spans with status ERROR.</summary>
    public int ErrorCount { get; }

    /// <summary>Sorted by name (ordinal).</summary>
    public IReadOnlyList<ServiceSummary> Services { get; }

    /// <summary>The primary root's service and span name; empty for an empty trace.</summary>
    public string RootService { get; }

    public string RootOperation { get; }

    /// <summary>Earliest start of any span.</summary>
    public ulong StartUnixNano { get; }

    /// <summary>Latest end of any span.</summary>
    public ulong EndUnixNano { get; }

    public ulong DurationNanos => EndUnixNano - StartUnixNano;

    public int Depth { get; }

    public int RootCount { get; }

    public int OrphanCount { get; }

    public static TraceSummary Compute(SpanTree tree)
    {
        var counts = new Dictionary<string, (int Spans, int Errors)>(StringComparer.Ordinal);
        var errors = 0;
        var start = ulong.MaxValue;
        ulong end = 0;
        for (var span = 0; span < tree.Count; span++)
        {
            var isError = tree.IsError(span);
            errors += isError ? 1 : 0;
            var service = tree.ServiceOf(span);
            counts.TryGetValue(service, out var count);
            counts[service] = (count.Spans + 1, count.Errors + (isError ? 1 : 0));
            start = Math.Min(start, tree.StartOf(span));
            end = Math.Max(end, tree.EndOf(span));
        }

        var services = new ServiceSummary[counts.Count];
        var i = 0;
        foreach (var (name, count) in counts)
        {
            services[i++] = new ServiceSummary(name, count.Spans, count.Errors);
        }

        Array.Sort(services, static (x, y) => string.CompareOrdinal(x.Name, y.Name));
        var root = tree.PrimaryRoot;
        return new TraceSummary(
            tree.Count == 0 ? default : tree.Span(0).TraceId,
            tree.Count,
            errors,
            services,
            root < 0 ? string.Empty : tree.ServiceOf(root),
            root < 0 ? string.Empty : tree.OperationOf(root),
            tree.Count == 0 ? 0 : start,
            end,
            tree.Depth,
            tree.RootCount,
            tree.Orphans.Count);
    }
}
