using System.Text;
using Ariadne.Model;

namespace Ariadne.Protocols.Zipkin;

/// <summary>
/// Adds Zipkin v2 spans to a batch in the OTLP model, as the OpenTelemetry Collector's Zipkin
/// translator maps them: <c>localEndpoint.serviceName</c> is the resource's <c>service.name</c>;
/// kind maps one to one (absent is unspecified, or the <c>span.kind</c> tag's value); the remote
/// endpoint becomes <c>peer.service</c>, <c>net.peer.ip</c>, <c>net.peer.port</c> and the local
/// address <c>net.host.ip</c>, <c>net.host.port</c>; annotations become events; tags become string
/// attributes, except those that carry OTLP fields (<c>otel.status_code</c>,
/// <c>otel.status_description</c>, <c>otel.scope.name/version</c>, <c>otel.library.name/version</c>,
/// <c>w3c.tracestate</c>, <c>error</c>). Zipkin's own rule for the <c>error</c> tag holds: its presence
/// marks the span as an error whatever its value, and a value other than <c>true</c> is the status
/// message (unless <c>otel.status_description</c> gives one).
/// A shared SERVER span (Zipkin's single span id for both sides of an RPC) gets an id of its own,
/// derived from the shared one, with the client span as its parent, so neither side hides the other.
/// </summary>
internal sealed class ZipkinTranslator
{
    private static readonly byte[] ServiceNameKey = "service.name"u8.ToArray();

    private readonly SpanBatch _batch;
    private readonly Dictionary<string, int> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<(int Resource, string Name, string Version), int> _scopes = [];

    public ZipkinTranslator(SpanBatch batch) => _batch = batch;

    public int Rejected { get; private set; }

    /// <summary>The first rejection, described for the client.</summary>
    public string? FirstRejection { get; private set; }

    /// <summary>Adds the span, or counts it as rejected (with the reason) when it cannot be stored.</summary>
    public void Add(ZipkinSpanDraft draft, int position)
    {
        var reason = draft.IdError
            ?? (!draft.TraceId.IsValid ? "missing traceId"
                : draft.SpanId == 0 ? "missing id"
                : draft.Local.ServiceName.IsEmpty ? "missing localEndpoint.serviceName" : null);
        if (reason is not null)
        {
            Rejected++;
            FirstRejection ??= $"span {position}: {reason}";
            return;
        }

        var batch = _batch;
        Utf8Ref scopeName = default, scopeVersion = default, statusDescription = default, traceState = default, kindTag = default;
        var statusCode = StatusCode.Unset;
        var hasOtelStatus = false;
        var errorTag = false;
        Utf8Ref errorValue = default;
        foreach (var (key, value) in draft.Tags)
        {
            var k = batch.Utf8(key);
            if (k.SequenceEqual("otel.status_code"u8))
            {
                hasOtelStatus = true;
                var v = batch.Utf8(value);
                statusCode = Ascii.EqualsIgnoreCase(v, "ERROR"u8) ? StatusCode.Error : Ascii.EqualsIgnoreCase(v, "OK"u8) ? StatusCode.Ok : StatusCode.Unset;
            }
            else if (k.SequenceEqual("otel.status_description"u8))
            {
                statusDescription = value;
            }
            else if (k.SequenceEqual("error"u8))
            {
                errorTag = true;
                errorValue = value;
            }
            else if (k.SequenceEqual("otel.scope.name"u8) || k.SequenceEqual("otel.library.name"u8))
            {
                scopeName = value;
            }
            else if (k.SequenceEqual("otel.scope.version"u8) || k.SequenceEqual("otel.library.version"u8))
            {
                scopeVersion = value;
            }
            else if (k.SequenceEqual("w3c.tracestate"u8))
            {
                traceState = value;
            }
            else if (k.SequenceEqual("span.kind"u8))
            {
                kindTag = value;
            }
        }

        var span = new SpanRow
        {
            TraceId = draft.TraceId,
            SpanId = new SpanId(draft.SpanId),
            ParentSpanId = new SpanId(draft.ParentId),
            Name = draft.Name,
            StartTimeUnixNano = draft.TimestampMicros * 1000,
            EndTimeUnixNano = (draft.TimestampMicros + draft.DurationMicros) * 1000,
            Kind = KindOf(draft.Kind, batch.Utf8(kindTag)),
            TraceState = traceState,
        };

        if (draft.Shared && draft.Kind == 2)
        {
            span.ParentSpanId = new SpanId(draft.SpanId);
            span.SpanId = new SpanId(DerivedId(draft.SpanId));
        }

        // Zipkin's rule: the error tag marks an error whatever its value; a value other than "true" says why.
        var errorText = batch.Utf8(errorValue);
        var errorMessage = errorText.Length == 0 || Ascii.EqualsIgnoreCase(errorText, "true"u8) ? default : errorValue;
        span.StatusCode = hasOtelStatus ? statusCode : errorTag ? StatusCode.Error : StatusCode.Unset;
        if (span.StatusCode == StatusCode.Error)
        {
            span.StatusMessage = !statusDescription.IsEmpty ? statusDescription : errorMessage;
        }

        span.ScopeIndex = Scope(draft, scopeName, scopeVersion);

        var attributesStart = batch.Attributes.Count;
        foreach (var (key, value) in draft.Tags)
        {
            var k = batch.Utf8(key);
            if (k.SequenceEqual("otel.status_code"u8) || k.SequenceEqual("otel.status_description"u8)
                || k.SequenceEqual("otel.scope.name"u8) || k.SequenceEqual("otel.scope.version"u8)
                || k.SequenceEqual("otel.library.name"u8) || k.SequenceEqual("otel.library.version"u8)
                || k.SequenceEqual("w3c.tracestate"u8) || (k.SequenceEqual("span.kind"u8) && draft.Kind == 0)
                || k.SequenceEqual("error"u8))
            {
                continue;
            }

            batch.Attributes.Add(new KeyValue(key, AnyValue.FromString(value)));
        }

        AddEndpoint(draft, draft.Remote, "peer.service"u8, "net.peer.ip"u8, "net.peer.port"u8);
        AddEndpoint(draft, draft.Local with { ServiceName = default }, default, "net.host.ip"u8, "net.host.port"u8);
        span.Attributes = new RowRange(attributesStart, batch.Attributes.Count - attributesStart);

        var eventsStart = batch.Events.Count;
        foreach (var (timestamp, value) in draft.Annotations)
        {
            batch.Events.Add(new EventRow { TimeUnixNano = timestamp * 1000, Name = value });
        }

        span.Events = new RowRange(eventsStart, batch.Events.Count - eventsStart);
        batch.Spans.Add(span);
    }

    /// <summary>Endpoint fields as attributes, unless a tag already gave that attribute (reporters often send both).</summary>
    private void AddEndpoint(ZipkinSpanDraft draft, in ZipkinEndpoint endpoint, ReadOnlySpan<byte> serviceKey, ReadOnlySpan<byte> ipKey, ReadOnlySpan<byte> portKey)
    {
        var batch = _batch;
        if (!endpoint.ServiceName.IsEmpty && !serviceKey.IsEmpty && !HasTag(draft, serviceKey))
        {
            batch.Attributes.Add(new KeyValue(batch.AddString(serviceKey), AnyValue.FromString(endpoint.ServiceName)));
        }

        var ip = endpoint.Ipv4.IsEmpty ? endpoint.Ipv6 : endpoint.Ipv4;
        if (!ip.IsEmpty && !HasTag(draft, ipKey))
        {
            batch.Attributes.Add(new KeyValue(batch.AddString(ipKey), AnyValue.FromString(ip)));
        }

        if (endpoint.Port != 0 && !HasTag(draft, portKey))
        {
            batch.Attributes.Add(new KeyValue(batch.AddString(portKey), AnyValue.FromInt(endpoint.Port)));
        }
    }

    private bool HasTag(ZipkinSpanDraft draft, ReadOnlySpan<byte> key)
    {
        foreach (var (tag, _) in draft.Tags)
        {
            if (_batch.Utf8(tag).SequenceEqual(key))
            {
                return true;
            }
        }

        return false;
    }

    private int Scope(ZipkinSpanDraft draft, Utf8Ref name, Utf8Ref version)
    {
        var batch = _batch;
        var service = batch.GetString(draft.Local.ServiceName);
        if (!_resources.TryGetValue(service, out var resource))
        {
            var attribute = batch.Attributes.Add(new KeyValue(batch.AddString(ServiceNameKey), AnyValue.FromString(draft.Local.ServiceName)));
            resource = batch.Resources.Add(new ResourceRow { Attributes = new RowRange(attribute, 1) });
            _resources[service] = resource;
        }

        var key = (resource, batch.GetString(name), batch.GetString(version));
        if (!_scopes.TryGetValue(key, out var scope))
        {
            scope = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = name, Version = version });
            _scopes[key] = scope;
        }

        return scope;
    }

    private static SpanKind KindOf(int zipkinKind, ReadOnlySpan<byte> kindTag) => zipkinKind switch
    {
        1 => SpanKind.Client,
        2 => SpanKind.Server,
        3 => SpanKind.Producer,
        4 => SpanKind.Consumer,
        _ when Ascii.EqualsIgnoreCase(kindTag, "internal"u8) => SpanKind.Internal,
        _ when Ascii.EqualsIgnoreCase(kindTag, "client"u8) => SpanKind.Client,
        _ when Ascii.EqualsIgnoreCase(kindTag, "server"u8) => SpanKind.Server,
        _ when Ascii.EqualsIgnoreCase(kindTag, "producer"u8) => SpanKind.Producer,
        _ when Ascii.EqualsIgnoreCase(kindTag, "consumer"u8) => SpanKind.Consumer,
        _ => SpanKind.Unspecified,
    };

    /// <summary>A fixed, well-mixed id for the server half of a shared span (never 0, never the shared id).</summary>
    public static ulong DerivedId(ulong shared)
    {
        var z = shared + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return z == 0 || z == shared ? z ^ 0x5DEECE66DUL : z;
    }
}
