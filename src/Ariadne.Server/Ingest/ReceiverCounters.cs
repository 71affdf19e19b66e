namespace Ariadne.Server.Ingest;

/// <summary>Per-receiver span counts, named as the Collector names its receiver metrics.</summary>
internal sealed class ReceiverCounters
{
    private long _accepted;
    private long _refused;
    private long _refusedRequests;

    public ReceiverCounters(string receiver) => Receiver = receiver;

    public string Receiver { get; }

    /// <summary>Spans acknowledged to the client, i.e. durable.</summary>
    public long AcceptedSpans => Interlocked.Read(ref _accepted);

    /// <summary>Spans the client was told were not stored (rejected individually or refused whole).</summary>
    public long RefusedSpans => Interlocked.Read(ref _refused);

    /// <summary>Requests refused before their body was read (storage starting, memory over the limit): their spans are not known.</summary>
    public long RefusedRequests => Interlocked.Read(ref _refusedRequests);

    public void RefuseRequest() => Interlocked.Increment(ref _refusedRequests);

    public void Add(int accepted, int refused)
    {
        Interlocked.Add(ref _accepted, accepted);
        Interlocked.Add(ref _refused, refused);
    }
}
