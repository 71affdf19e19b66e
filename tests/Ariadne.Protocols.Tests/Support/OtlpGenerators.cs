using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using ProtoSpan = OpenTelemetry.Proto.Trace.V1.Span;
using ProtoStatus = OpenTelemetry.Proto.Trace.V1.Status;

namespace Ariadne.Protocols.Tests.Support;

/// <summary>FsCheck generators of OTLP requests built with the reference (Google.Protobuf) types.</summary>
internal static class OtlpGenerators
{
    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.Elements("", "service.name", "http.request.method", "GET /checkout", "ünïcødé ✓", "a\"quote\\and\nnewline", "<script>"),
        ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty).Select(Sanitize));

    private static readonly Gen<ByteString> Bytes = Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>()).Select(ByteString.CopyFrom);

    private static readonly Gen<ulong> Nanos = Gen.Choose(0, int.MaxValue).Select(n => 1_700_000_000_000_000_000UL + ((ulong)n * 1000));

    public static Gen<ExportTraceServiceRequest> Request { get; } = Gen.Sized(size =>
        Gen.ListOf(ResourceSpansGen(Math.Min(size, 12))).Resize(Math.Max(1, Math.Min(size / 10, 4)))
            .Select(list =>
            {
                var request = new ExportTraceServiceRequest();
                request.ResourceSpans.AddRange(list);
                return request;
            }));

    /// <summary>Strings the generated types can carry: lone surrogates are not valid UTF-8.</summary>
    private static string Sanitize(string s)
    {
        var chars = s.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsSurrogate(chars[i]))
            {
                chars[i] = '?';
            }
        }

        return new string(chars);
    }

    private static Gen<ResourceSpans> ResourceSpansGen(int size) =>
        from attributes in AttributesGen(size)
        from dropped in Gen.Choose(0, 3)
        from scopes in Gen.ListOf(ScopeSpansGen(size)).Resize(3)
        from schema in Gen.Elements("", "https://opentelemetry.io/schemas/1.26.0")
        select Build(attributes, dropped, scopes, schema);

    private static ResourceSpans Build(KeyValue[] attributes, int dropped, IEnumerable<ScopeSpans> scopes, string schema)
    {
        var rs = new ResourceSpans { Resource = new Resource { DroppedAttributesCount = (uint)dropped }, SchemaUrl = schema };
        rs.Resource.Attributes.AddRange(attributes);
        rs.ScopeSpans.AddRange(scopes);
        return rs;
    }

    private static Gen<ScopeSpans> ScopeSpansGen(int size) =>
        from name in Text
        from version in Gen.Elements("", "1.0.0", "2.3.4-beta")
        from attributes in AttributesGen(size / 2)
        from spans in Gen.ListOf(SpanGen(size)).Resize(Math.Max(1, size / 2))
        from schema in Gen.Elements("", "https://opentelemetry.io/schemas/1.21.0")
        select BuildScope(name, version, attributes, spans, schema);

    private static ScopeSpans BuildScope(string name, string version, KeyValue[] attributes, IEnumerable<ProtoSpan> spans, string schema)
    {
        var ss = new ScopeSpans { Scope = new InstrumentationScope { Name = name, Version = version }, SchemaUrl = schema };
        ss.Scope.Attributes.AddRange(attributes);
        ss.Spans.AddRange(spans);
        return ss;
    }

    private static Gen<ProtoSpan> SpanGen(int size) =>
        from traceId in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 16)
        from spanId in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 8)
        from hasParent in ArbMap.Default.GeneratorFor<bool>()
        from parentId in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 8)
        from name in Text
        from traceState in Gen.Elements("", "congo=t61rcWkgMzE", "a=1,b=2")
        from kind in Gen.Choose(0, 5)
        from start in Nanos
        from duration in Gen.Choose(0, int.MaxValue)
        from flags in Gen.Elements(0u, 1u, 0x101u, 0x301u)
        from attributes in AttributesGen(size)
        from events in Gen.ListOf(EventGen(size)).Resize(3)
        from links in Gen.ListOf(LinkGen(size)).Resize(2)
        from dropped in Gen.ArrayOf(Gen.Choose(0, 5), 3)
        from statusCode in Gen.Choose(0, 2)
        from statusMessage in Gen.Elements("", "card declined")
        select BuildSpan(traceId, spanId, hasParent ? parentId : null, name, traceState, kind, start, (ulong)duration, flags, attributes, events, links, dropped, statusCode, statusMessage);

    private static ProtoSpan BuildSpan(
        byte[] traceId, byte[] spanId, byte[]? parentId, string name, string traceState, int kind, ulong start, ulong duration, uint flags,
        KeyValue[] attributes, IEnumerable<ProtoSpan.Types.Event> events, IEnumerable<ProtoSpan.Types.Link> links, int[] dropped, int statusCode, string statusMessage)
    {
        // Ids are kept valid: the differential check compares what both parsers read, and Ariadne marks bad ids as defects.
        traceId[15] |= 1;
        spanId[7] |= 1;
        if (parentId is not null)
        {
            parentId[7] |= 1;
        }

        var span = new ProtoSpan
        {
            TraceId = ByteString.CopyFrom(traceId),
            SpanId = ByteString.CopyFrom(spanId),
            ParentSpanId = parentId is null ? ByteString.Empty : ByteString.CopyFrom(parentId),
            Name = name,
            TraceState = traceState,
            Kind = (ProtoSpan.Types.SpanKind)kind,
            StartTimeUnixNano = start,
            EndTimeUnixNano = start + duration,
            Flags = flags,
            DroppedAttributesCount = (uint)dropped[0],
            DroppedEventsCount = (uint)dropped[1],
            DroppedLinksCount = (uint)dropped[2],
            Status = new ProtoStatus { Code = (ProtoStatus.Types.StatusCode)statusCode, Message = statusMessage },
        };
        span.Attributes.AddRange(attributes);
        span.Events.AddRange(events);
        span.Links.AddRange(links);
        return span;
    }

    private static Gen<ProtoSpan.Types.Event> EventGen(int size) =>
        from name in Text
        from time in Nanos
        from attributes in AttributesGen(size / 2)
        from dropped in Gen.Choose(0, 2)
        select BuildEvent(name, time, attributes, dropped);

    private static ProtoSpan.Types.Event BuildEvent(string name, ulong time, KeyValue[] attributes, int dropped)
    {
        var e = new ProtoSpan.Types.Event { Name = name, TimeUnixNano = time, DroppedAttributesCount = (uint)dropped };
        e.Attributes.AddRange(attributes);
        return e;
    }

    private static Gen<ProtoSpan.Types.Link> LinkGen(int size) =>
        from traceId in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 16)
        from spanId in Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 8)
        from traceState in Gen.Elements("", "x=y")
        from attributes in AttributesGen(size / 2)
        from flags in Gen.Elements(0u, 1u, 0x301u)
        select BuildLink(traceId, spanId, traceState, attributes, flags);

    private static ProtoSpan.Types.Link BuildLink(byte[] traceId, byte[] spanId, string traceState, KeyValue[] attributes, uint flags)
    {
        var link = new ProtoSpan.Types.Link { TraceId = ByteString.CopyFrom(traceId), SpanId = ByteString.CopyFrom(spanId), TraceState = traceState, Flags = flags };
        link.Attributes.AddRange(attributes);
        return link;
    }

    private static Gen<KeyValue[]> AttributesGen(int size) =>
        Gen.ArrayOf(from key in Text from value in ValueGen(3) select new KeyValue { Key = key, Value = value }).Resize(Math.Min(size, 30));

    public static Gen<AnyValue> ValueGen(int depth)
    {
        var scalars = Gen.OneOf(
            Text.Select(s => new AnyValue { StringValue = s }),
            ArbMap.Default.GeneratorFor<bool>().Select(b => new AnyValue { BoolValue = b }),
            ArbMap.Default.GeneratorFor<long>().Select(i => new AnyValue { IntValue = i }),
            Gen.Elements(0.0, -1.5, double.MaxValue, double.Epsilon, 3.14159, double.NaN, double.PositiveInfinity).Select(d => new AnyValue { DoubleValue = d }),
            Bytes.Select(b => new AnyValue { BytesValue = b }),
            Gen.Constant(0).Select(_ => new AnyValue()));
        if (depth == 0)
        {
            return scalars;
        }

        var array = Gen.ArrayOf(ValueGen(depth - 1)).Resize(4).Select(values =>
        {
            var a = new ArrayValue();
            a.Values.AddRange(values);
            return new AnyValue { ArrayValue = a };
        });
        var map = Gen.ArrayOf(from key in Text from value in ValueGen(depth - 1) select new KeyValue { Key = key, Value = value }).Resize(4).Select(entries =>
        {
            var list = new KeyValueList();
            list.Values.AddRange(entries);
            return new AnyValue { KvlistValue = list };
        });
        return Gen.Frequency((6, scalars), (1, array), (1, map));
    }
}
