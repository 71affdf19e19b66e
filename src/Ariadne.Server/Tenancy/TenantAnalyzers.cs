using System.Collections.Concurrent;
using Ariadne.Analysis.Metrics;
using Ariadne.Server.Configuration;
using Ariadne.Server.Ingest;

namespace Ariadne.Server.Tenancy;

/// <summary>
/// Span metrics and the service graph per tenant, so the dependencies one tenant sees are built from
/// its own spans only. The single tenant's analyzer is the one <c>/metrics</c> exposes.
/// </summary>
internal sealed class TenantAnalyzers
{
    private readonly SpanAnalyzer _single;
    private readonly AnalysisOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, SpanAnalyzer> _others = new(StringComparer.Ordinal);

    public TenantAnalyzers(SpanAnalyzer single, AriadneOptions options, TimeProvider time)
    {
        _single = single;
        _options = options.Analysis;
        _time = time;
    }

    public SpanAnalyzer For(string tenant) =>
        tenant == TenantId.Single ? _single : _others.GetOrAdd(tenant, _ => SpanAnalyzerFactory.Create(_options, _time));
}
