using System.Diagnostics.CodeAnalysis;
using Ariadne.Model;
using Ariadne.Server.Tenancy;

namespace Ariadne.Server.Query;

/// <summary>Trace-by-id over whatever a tenant's store holds; the query APIs share it.</summary>
internal sealed class TraceLookup
{
    private readonly TenantStores _stores;

    public TraceLookup(TenantStores stores) => _stores = stores;

    /// <summary>Whether the single tenant's store is open.</summary>
    public bool IsReady => _stores.Single.IsReady;

    public bool IsReadyFor(string tenant) => _stores.For(tenant).IsReady;

    /// <summary>A trace of the single tenant (the only one while multi-tenancy is off).</summary>
    public bool TryGetTrace(TraceId traceId, [NotNullWhen(true)] out SpanBatch? trace) => TryGetTrace(TenantId.Single, traceId, out trace);

    /// <summary>A trace of <paramref name="tenant"/> only; another tenant's trace with the same id is never seen.</summary>
    public bool TryGetTrace(string tenant, TraceId traceId, [NotNullWhen(true)] out SpanBatch? trace)
    {
        var store = _stores.For(tenant).Store;
        if (store is null)
        {
            trace = null;
            return false;
        }

        return store.TryGetTrace(traceId, out trace);
    }
}
