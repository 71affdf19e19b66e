using Ariadne.Model;

namespace Ariadne.Storage.Search;

/// <summary>
/// Spans as columns, for aggregations that need only a few fields of many spans (TraceQL metrics):
/// start, duration, kind and status, name, and ids. A chunk is reused: its contents are valid until
/// the enumeration that yielded it moves on.
/// </summary>
internal sealed class SpanColumnChunk
{
    public int Count { get; private set; }

    public ulong[] Starts { get; private set; } = [];

    public ulong[] Durations { get; private set; } = [];

    /// <summary>Kind in the low 4 bits, status code in the high 4.</summary>
    public byte[] KindStatus { get; private set; } = [];

    /// <summary>Span names, when asked for (otherwise empty strings).</summary>
    public string[] Names { get; private set; } = [];

    /// <summary>Services (resource service.name), when asked for (otherwise empty strings).</summary>
    public string[] Services { get; private set; } = [];

    public TraceId[] TraceIds { get; private set; } = [];

    public SpanId[] SpanIds { get; private set; } = [];

    internal void Reset(int capacity)
    {
        Count = 0;
        if (Starts.Length < capacity)
        {
            Starts = new ulong[capacity];
            Durations = new ulong[capacity];
            KindStatus = new byte[capacity];
            Names = new string[capacity];
            Services = new string[capacity];
            TraceIds = new TraceId[capacity];
            SpanIds = new SpanId[capacity];
        }
    }

    internal void Add(ulong start, ulong duration, byte kindStatus, string name, string service, TraceId traceId, SpanId spanId)
    {
        var i = Count++;
        Services[i] = service;
        Starts[i] = start;
        Durations[i] = duration;
        KindStatus[i] = kindStatus;
        Names[i] = name;
        TraceIds[i] = traceId;
        SpanIds[i] = spanId;
    }
}
