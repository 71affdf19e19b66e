using Ariadne.Model;

namespace Ariadne.Protocols.Zipkin;

/// <summary>
/// One Zipkin v2 span as read from JSON or proto3, before translation: strings already in the batch
/// heap, ids parsed (with the reason when they are not valid). Reused from span to span.
/// </summary>
internal sealed class ZipkinSpanDraft
{
    public TraceId TraceId;
    public ulong SpanId;
    public ulong ParentId;
    public string? IdError;

    /// <summary>0 absent, 1 CLIENT, 2 SERVER, 3 PRODUCER, 4 CONSUMER (the proto3 enum's numbering).</summary>
    public int Kind;
    public Utf8Ref Name;
    public ulong TimestampMicros;
    public ulong DurationMicros;
    public bool Shared;
    public ZipkinEndpoint Local;
    public ZipkinEndpoint Remote;

    public List<(ulong TimestampMicros, Utf8Ref Value)> Annotations { get; } = [];

    public List<(Utf8Ref Key, Utf8Ref Value)> Tags { get; } = [];

    public void Reset()
    {
        TraceId = default;
        SpanId = 0;
        ParentId = 0;
        IdError = null;
        Kind = 0;
        Name = default;
        TimestampMicros = 0;
        DurationMicros = 0;
        Shared = false;
        Local = default;
        Remote = default;
        Annotations.Clear();
        Tags.Clear();
    }

    /// <summary>Records the first id problem; later ones would only repeat that the span is unusable.</summary>
    public void FailId(string reason) => IdError ??= reason;
}

/// <summary>A Zipkin endpoint: service name, address (as text) and port.</summary>
internal struct ZipkinEndpoint
{
    public Utf8Ref ServiceName;
    public Utf8Ref Ipv4;
    public Utf8Ref Ipv6;
    public int Port;
}
