using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using ProtoSpan = OpenTelemetry.Proto.Trace.V1.Span;
using ProtoStatus = OpenTelemetry.Proto.Trace.V1.Status;

namespace Ariadne.Protocols.Tests.Support;

/// <summary>A hand-built request that uses every field of the trace model at least once.</summary>
internal static class RichRequest
{
    public static ExportTraceServiceRequest Create()
    {
        var request = new ExportTraceServiceRequest();
        for (var r = 0; r < 2; r++)
        {
            var resourceSpans = new ResourceSpans
            {
                Resource = new Resource { DroppedAttributesCount = 3 },
                SchemaUrl = "https://opentelemetry.io/schemas/1.26.0",
            };
            resourceSpans.Resource.Attributes.Add(Kv("service.name", new AnyValue { StringValue = r == 0 ? "frontend" : "payments" }));
            resourceSpans.Resource.Attributes.Add(Kv("host.cpu.count", new AnyValue { IntValue = 4 }));
            for (var s = 0; s < 2; s++)
            {
                var scopeSpans = new ScopeSpans
                {
                    Scope = new InstrumentationScope { Name = $"lib{s}", Version = "1.2.3", DroppedAttributesCount = 1 },
                    SchemaUrl = "https://opentelemetry.io/schemas/1.21.0",
                };
                scopeSpans.Scope.Attributes.Add(Kv("scope.attr", new AnyValue { BoolValue = true }));
                for (var i = 0; i < 3; i++)
                {
                    scopeSpans.Spans.Add(Span(r, s, i));
                }

                resourceSpans.ScopeSpans.Add(scopeSpans);
            }

            request.ResourceSpans.Add(resourceSpans);
        }

        return request;
    }

    private static ProtoSpan Span(int r, int s, int i)
    {
        var span = new ProtoSpan
        {
            TraceId = ByteString.CopyFrom(Convert.FromHexString("5b8efff798038103d269b633813fc60c")),
            SpanId = ByteString.CopyFrom([0xEE, 0xE1, 0x9B, 0x7E, 0xC3, 0xC1, (byte)r, (byte)((s * 16) + i + 1)]),
            ParentSpanId = i == 0 ? ByteString.Empty : ByteString.CopyFrom(Convert.FromHexString("eee19b7ec3c1b174")),
            TraceState = "congo=t61rcWkgMzE",
            Flags = 0x301,
            Name = $"op {r}/{s}/{i} ✓",
            Kind = (ProtoSpan.Types.SpanKind)((i % 5) + 1),
            StartTimeUnixNano = 1_544_712_660_000_000_000UL + (ulong)i,
            EndTimeUnixNano = 1_544_712_661_000_000_000UL,
            DroppedAttributesCount = 1,
            DroppedEventsCount = 2,
            DroppedLinksCount = 3,
            Status = new ProtoStatus { Code = ProtoStatus.Types.StatusCode.Error, Message = "card declined" },
        };
        span.Attributes.Add(Kv("string", new AnyValue { StringValue = "value" }));
        span.Attributes.Add(Kv("bool", new AnyValue { BoolValue = false }));
        span.Attributes.Add(Kv("int", new AnyValue { IntValue = -42 }));
        span.Attributes.Add(Kv("double", new AnyValue { DoubleValue = 0.25 }));
        span.Attributes.Add(Kv("bytes", new AnyValue { BytesValue = ByteString.CopyFrom(1, 2, 3, 255) }));
        var array = new ArrayValue();
        array.Values.Add(new AnyValue { StringValue = "a" });
        array.Values.Add(new AnyValue { IntValue = 7 });
        var inner = new KeyValueList();
        inner.Values.Add(Kv("deep", new AnyValue { DoubleValue = -1 }));
        array.Values.Add(new AnyValue { KvlistValue = inner });
        span.Attributes.Add(Kv("array", new AnyValue { ArrayValue = array }));
        var map = new KeyValueList();
        map.Values.Add(Kv("x", new AnyValue { StringValue = "y" }));
        var nestedArray = new ArrayValue();
        nestedArray.Values.Add(new AnyValue { BoolValue = true });
        map.Values.Add(Kv("list", new AnyValue { ArrayValue = nestedArray }));
        span.Attributes.Add(Kv("map", new AnyValue { KvlistValue = map }));
        span.Attributes.Add(Kv("empty", new AnyValue()));

        var e = new ProtoSpan.Types.Event { TimeUnixNano = 1_544_712_660_500_000_000UL, Name = "exception", DroppedAttributesCount = 1 };
        e.Attributes.Add(Kv("exception.message", new AnyValue { StringValue = "boom" }));
        span.Events.Add(e);
        span.Events.Add(new ProtoSpan.Types.Event { TimeUnixNano = 1, Name = "no attributes" });

        var link = new ProtoSpan.Types.Link
        {
            TraceId = ByteString.CopyFrom(Convert.FromHexString("0af7651916cd43dd8448eb211c80319c")),
            SpanId = ByteString.CopyFrom(Convert.FromHexString("b7ad6b7169203331")),
            TraceState = "rojo=00f067aa0ba902b7",
            DroppedAttributesCount = 2,
            Flags = 1,
        };
        link.Attributes.Add(Kv("link.reason", new AnyValue { StringValue = "retry" }));
        span.Links.Add(link);
        return span;
    }

    private static KeyValue Kv(string key, AnyValue value) => new() { Key = key, Value = value };
}
