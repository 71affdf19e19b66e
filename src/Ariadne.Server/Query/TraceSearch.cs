using Ariadne.Server.Configuration;
using Ariadne.Storage.Search;
using Ariadne.TraceQL.Engine;

namespace Ariadne.Server.Query;

/// <summary>
/// Runs TraceQL searches over the store for every search API: off the request thread, stopped by the
/// client going away or by <c>query.search_timeout</c>, never returning more than
/// <c>query.max_search_limit</c> traces.
/// </summary>
internal sealed class TraceSearch
{
    private readonly Tenancy.TenantStores _stores;
    private readonly Tenancy.TenantLimits _limits;
    private readonly TraceQLEngine _engine;

    public TraceSearch(Tenancy.TenantStores stores, Tenancy.TenantLimits limits, AriadneOptions options)
    {
        _limits = limits;
        _stores = stores;
        _engine = new TraceQLEngine { MaxLimit = options.Query.MaxSearchLimit, MaxSpansPerSpanSet = options.Query.MaxSpansPerSpanSet, Timeout = options.Query.SearchTimeout };
        _metrics = new TraceQL.Metrics.MetricsEngine { Timeout = options.Query.SearchTimeout };
    }

    private readonly TraceQL.Metrics.MetricsEngine _metrics;

    /// <summary>Parses and runs a TraceQL metrics query.</summary>
    /// <exception cref="TraceQL.Syntax.TraceQLException">The query is not a valid metrics query, or makes too many series.</exception>
    /// <exception cref="TraceQLTimeoutException">The query ran past <c>query.search_timeout</c>.</exception>
    public Task<(TraceQL.Metrics.MetricsResponse Response, ScanMetrics Scan)> MetricsAsync(string query, TraceQL.Metrics.MetricsRequest request, CancellationToken cancellationToken) =>
        MetricsAsync(Tenancy.TenantId.Single, query, request, cancellationToken);

    /// <summary>Parses and runs a TraceQL metrics query over <paramref name="tenant"/>'s store only.</summary>
    public Task<(TraceQL.Metrics.MetricsResponse Response, ScanMetrics Scan)> MetricsAsync(string tenant, string query, TraceQL.Metrics.MetricsRequest request, CancellationToken cancellationToken)
    {
        TraceQL.Metrics.MetricsEngine.Parse(query);
        CheckLimits(tenant, request.StartUnixNanos, request.EndUnixNanos, limit: 0);
        var store = _stores.For(tenant).Store ?? throw new InvalidOperationException("storage is not open");
        var fetcher = new StoreSpansetFetcher(store);
        return Task.Run(
            async () =>
            {
                var response = await _metrics.QueryAsync(query, request, fetcher, cancellationToken).ConfigureAwait(false);
                return (response, fetcher.Metrics);
            },
            cancellationToken);
    }

    /// <summary>Whether the single tenant's store is open.</summary>
    public bool IsReady => _stores.Single.IsReady;

    public bool IsReadyFor(string tenant) => _stores.For(tenant).IsReady;

    public int MaxLimit => _engine.MaxLimit;

    /// <summary>Parses and runs <paramref name="query"/>.</summary>
    /// <exception cref="TraceQL.Syntax.TraceQLException">The query is not valid TraceQL.</exception>
    /// <exception cref="TraceQLTimeoutException">The search ran past <c>query.search_timeout</c>.</exception>
    public Task<(SearchResponse Response, ScanMetrics Scan)> SearchAsync(string query, SearchRequest request, CancellationToken cancellationToken) =>
        SearchAsync(Tenancy.TenantId.Single, query, request, cancellationToken);

    /// <summary>Parses and runs <paramref name="query"/> over <paramref name="tenant"/>'s store only.</summary>
    public Task<(SearchResponse Response, ScanMetrics Scan)> SearchAsync(string tenant, string query, SearchRequest request, CancellationToken cancellationToken)
    {
        TraceQLEngine.Parse(query);
        CheckLimits(tenant, request.StartUnixNanos, request.EndUnixNanos, request.Limit);
        var store = _stores.For(tenant).Store ?? throw new InvalidOperationException("storage is not open");
        var fetcher = new StoreSpansetFetcher(store);
        return Task.Run(
            async () =>
            {
                var response = await _engine.SearchAsync(query, request, fetcher, cancellationToken).ConfigureAwait(false);
                return (response, fetcher.Metrics);
            },
            cancellationToken);
    }

    /// <summary>The tenant's <c>max_search_duration</c> and <c>max_search_limit</c> from <c>overrides</c>.</summary>
    /// <exception cref="QueryLimitException">The request asks for more.</exception>
    private void CheckLimits(string tenant, ulong startUnixNanos, ulong endUnixNanos, int limit)
    {
        var limits = _limits.For(tenant);
        if (limits.MaxSearchLimit > 0 && limit > limits.MaxSearchLimit)
        {
            throw new QueryLimitException($"limit {limit} is above this tenant's max_search_limit of {limits.MaxSearchLimit}");
        }

        if (limits.MaxSearchDuration > TimeSpan.Zero)
        {
            var max = (ulong)limits.MaxSearchDuration.Ticks * 100UL;
            if (startUnixNanos == 0 || endUnixNanos == 0 || endUnixNanos - startUnixNanos > max)
            {
                throw new QueryLimitException(
                    $"the time range must be given (start and end) and at most this tenant's max_search_duration of {Configuration.DurationYamlConverter.Format(limits.MaxSearchDuration)}");
            }
        }
    }
}
