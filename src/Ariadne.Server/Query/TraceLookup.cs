using System.Diagnostics.CodeAnalysis;
using Ariadne.Model;
using Ariadne.Server.Ingest;

namespace Ariadne.Server.Query;

/// <summary>Trace-by-id over whatever the store holds; the query APIs share it.</summary>
internal sealed class TraceLookup
{
    private readonly StoreProvider _stores;

    public TraceLookup(StoreProvider stores) => _stores = stores;

    public bool IsReady => _stores.IsReady;

    public bool TryGetTrace(TraceId traceId, [NotNullWhen(true)] out SpanBatch? trace)
    {
        var store = _stores.Store;
        if (store is null)
        {
            trace = null;
            return false;
        }

        return store.TryGetTrace(traceId, out trace);
    }
}
