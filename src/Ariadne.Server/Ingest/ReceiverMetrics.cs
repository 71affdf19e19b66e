using System.Collections.Concurrent;

namespace Ariadne.Server.Ingest;

/// <summary>The counters of every receiver, for <c>/metrics</c>.</summary>
internal sealed class ReceiverMetrics
{
    private readonly ConcurrentDictionary<string, ReceiverCounters> _receivers = new(StringComparer.Ordinal);

    public ReceiverCounters For(string receiver) => _receivers.GetOrAdd(receiver, static name => new ReceiverCounters(name));

    public ICollection<ReceiverCounters> All => _receivers.Values;
}
