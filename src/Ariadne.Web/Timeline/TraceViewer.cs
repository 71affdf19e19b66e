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
    private readonly LinkedList<TraceView> _recent = new();

    public TraceViewer(TraceLookup traces, UploadedTraces uploads)
    {
        _traces = traces;
        _uploads = uploads;
    }

    public bool IsReady => _traces.IsReady;

    /// <summary>A stored trace by id; null when the store does not hold it.</summary>
    public TraceView? Load(TraceId traceId)
    {
        var key = traceId.ToString();
        if (Recent(key) is { } cached)
        {
            return cached;
        }

        if (!_traces.TryGetTrace(traceId, out var trace))
        {
            return null;
        }

        var view = TraceView.Build(key, trace);
        Remember(view);
        return view;
    }

    /// <summary>A view by its key: an uploaded trace's key, or a trace id.</summary>
    public TraceView? LoadByKey(string key)
    {
        if (UploadedTraces.IsUploadKey(key))
        {
            return _uploads.Get(key);
        }

        return TraceId.TryParseLenient(key, out var id) && id.IsValid ? Load(id) : null;
    }

    private TraceView? Recent(string key)
    {
        lock (_gate)
        {
            for (var node = _recent.First; node is not null; node = node.Next)
            {
                if (node.Value.Key == key)
                {
                    _recent.Remove(node);
                    _recent.AddFirst(node);
                    return node.Value;
                }
            }

            return null;
        }
    }

    private void Remember(TraceView view)
    {
        lock (_gate)
        {
            _recent.AddFirst(view);
            while (_recent.Count > Capacity)
            {
                _recent.RemoveLast();
            }
        }
    }
}
