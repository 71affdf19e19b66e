using Ariadne.Model;
using Ariadne.Server.Configuration;
using Ariadne.Server.Ingest;
using Ariadne.Storage.Search;

namespace Ariadne.Server.Query;

/// <summary>
/// Runs storage scans for the search APIs: off the request thread, stopped by the client going away
/// or by <c>query.search_timeout</c>, and never returning more than <c>query.max_search_limit</c> traces.
/// </summary>
internal sealed class TraceSearch
{
    private readonly StoreProvider _stores;
    private readonly QueryOptions _options;

    public TraceSearch(StoreProvider stores, AriadneOptions options)
    {
        _stores = stores;
        _options = options.Query;
    }

    public bool IsReady => _stores.IsReady;

    public int MaxLimit => _options.MaxSearchLimit;

    public TimeSpan Timeout => _options.SearchTimeout;

    /// <summary>Caps a requested limit; 0 or less means the default of 20, as Tempo and Jaeger use.</summary>
    public int Limit(int requested) => Math.Min(requested <= 0 ? 20 : requested, _options.MaxSearchLimit);

    /// <summary>Whole traces that qualify, one batch per trace, at most <paramref name="limit"/>.</summary>
    /// <exception cref="TimeoutException">The search ran past the configured timeout.</exception>
    public async Task<List<SpanBatch>> FindAsync(SpanScanRequest request, int limit, CancellationToken cancellationToken)
    {
        var store = _stores.Store ?? throw new InvalidOperationException("storage is not open");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.SearchTimeout);
        var oneTracePerBatch = new SpanScanRequest
        {
            StartUnixNano = request.StartUnixNano,
            EndUnixNano = request.EndUnixNano,
            Predicates = request.Predicates,
            MatchAll = request.MatchAll,
            Metrics = request.Metrics,
            TraceTimeSlackNanos = request.TraceTimeSlackNanos,
            BatchSpans = 1,
        };

        try
        {
            return await Task.Run(
                () =>
                {
                    var traces = new List<SpanBatch>();
                    foreach (var trace in store.Scan(oneTracePerBatch, timeout.Token))
                    {
                        traces.Add(trace);
                        if (traces.Count >= limit)
                        {
                            break;
                        }
                    }

                    return traces;
                },
                timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the search ran longer than {_options.SearchTimeout.TotalSeconds:0.###} s (query.search_timeout)");
        }
    }
}
