using Ariadne.Model;
using Ariadne.Server.Query;

namespace Ariadne.Web.Timeline;

/// <summary>
/// Loads traces for the UI and keeps the last few prepared, so the page and the timeline its script
/// fetches right after share one analysis of a large trace instead of computing it twice.
/// </summary>
internal sealed class TraceViewer
{
    private const int Capacity = 8;

    private readonly TraceLookup _traces;
    private readonly UploadedTraces _uploads;
    private readonly Lock _gate = new();
    private readonly LinkedList<(string Tenant, string Key, TraceView View)> _recent = new();

    public TraceViewer(TraceLookup traces, UploadedTraces uploads)
    {
        _traces = traces;
        _uploads = uploads;
    }

    public bool IsReady(string tenant) => _traces.IsReadyFor(tenant);

    /// <summary>A trace of <paramref name="tenant"/> by id; null when its store does not hold it.</summary>
    public TraceView? Load(string tenant, TraceId traceId)
    {
        var key = traceId.ToString();
        if (Recent(tenant, key) is { } cached)
        {
            return cached;
        }

        if (!_traces.TryGetTrace(tenant, traceId, out var trace))
        {
            return null;
        }

        var view = TraceView.Build(key, trace);
        Remember(tenant, view);
        return view;
    }

    /// <summary>A view by its key: an uploaded trace's key, or a trace id; only ever <paramref name="tenant"/>'s.</summary>
    public TraceView? LoadByKey(string tenant, string key)
    {
        if (UploadedTraces.IsUploadKey(key))
        {
            return _uploads.Get(tenant, key);
        }

        return TraceId.TryParseLenient(key, out var id) && id.IsValid ? Load(tenant, id) : null;
    }

    private TraceView? Recent(string tenant, string key)
    {
        lock (_gate)
        {
            for (var node = _recent.First; node is not null; node = node.Next)
            {
                if (node.Value.Key == key && node.Value.Tenant == tenant)
                {
                    _recent.Remove(node);
                    _recent.AddFirst(node);
                    return node.Value.View;
                }
            }

            return null;
        }
    }

    private void Remember(string tenant, TraceView view)
    {
        lock (_gate)
        {
            _recent.AddFirst((tenant, view.Key, view));
            while (_recent.Count > Capacity)
            {
                _recent.RemoveLast();
            }
        }
    }
}
