using System.Runtime.CompilerServices;
using Ariadne.Model;

namespace Ariadne.TraceQL.Fetch;

/// <summary>
/// A fetcher over batches held in memory: spans grouped into whole traces (each span once), the
/// time range applied, conditions ignored (they are only hints). For tests and small data sets.
/// </summary>
internal sealed class InMemorySpansetFetcher : ISpansetFetcher
{
    private readonly IReadOnlyList<SpanBatch> _batches;

    public InMemorySpansetFetcher(IReadOnlyList<SpanBatch> batches) => _batches = batches;

    public async IAsyncEnumerable<SpanBatch> FetchAsync(FetchSpansRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var traces = new Dictionary<TraceId, List<(SpanBatch Batch, int Row)>>();
        var order = new List<TraceId>();
        foreach (var batch in _batches)
        {
            for (var i = 0; i < batch.SpanCount; i++)
            {
                var id = batch.Spans[i].TraceId;
                if (!traces.TryGetValue(id, out var spans))
                {
                    traces[id] = spans = [];
                    order.Add(id);
                }

                spans.Add((batch, i));
            }
        }

        foreach (var id in order)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var spans = traces[id];
            var inRange = false;
            foreach (var (batch, row) in spans)
            {
                ref readonly var span = ref batch.Spans[row];
                inRange |= (request.EndUnixNanos == 0 || span.StartTimeUnixNano <= request.EndUnixNanos)
                    && (request.StartUnixNanos == 0 || span.EndTimeUnixNano >= request.StartUnixNanos);
            }

            if (!inRange)
            {
                continue;
            }

            var trace = new SpanBatch();
            var copier = new SpanCopier(trace);
            var seen = new HashSet<SpanId>();
            foreach (var (batch, row) in spans)
            {
                if (seen.Add(batch.Spans[row].SpanId))
                {
                    copier.CopySpan(batch, row);
                }
            }

            await Task.Yield();
            yield return trace;
        }
    }
}
