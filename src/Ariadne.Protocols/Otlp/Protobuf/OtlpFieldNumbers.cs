namespace Ariadne.Protocols.Otlp.Protobuf;

// Field numbers of the OTLP trace protos (opentelemetry/proto/{collector/trace,trace,resource,common}/v1).

internal static class TracesDataFields
{
    public const int ResourceSpans = 1;
}

internal static class ResourceSpansFields
{
    public const int Resource = 1;
    public const int ScopeSpans = 2;
    public const int SchemaUrl = 3;
}

internal static class ResourceFields
{
    public const int Attributes = 1;
    public const int DroppedAttributesCount = 2;
}

internal static class ScopeSpansFields
{
    public const int Scope = 1;
    public const int Spans = 2;
    public const int SchemaUrl = 3;
}

internal static class InstrumentationScopeFields
{
    public const int Name = 1;
    public const int Version = 2;
    public const int Attributes = 3;
    public const int DroppedAttributesCount = 4;
}

internal static class SpanFields
{
    public const int TraceId = 1;
    public const int SpanId = 2;
    public const int TraceState = 3;
    public const int ParentSpanId = 4;
    public const int Name = 5;
    public const int Kind = 6;
    public const int StartTimeUnixNano = 7;
    public const int EndTimeUnixNano = 8;
    public const int Attributes = 9;
    public const int DroppedAttributesCount = 10;
    public const int Events = 11;
    public const int DroppedEventsCount = 12;
    public const int Links = 13;
    public const int DroppedLinksCount = 14;
    public const int Status = 15;
    public const int Flags = 16;
}

internal static class EventFields
{
    public const int TimeUnixNano = 1;
    public const int Name = 2;
    public const int Attributes = 3;
    public const int DroppedAttributesCount = 4;
}

internal static class LinkFields
{
    public const int TraceId = 1;
    public const int SpanId = 2;
    public const int TraceState = 3;
    public const int Attributes = 4;
    public const int DroppedAttributesCount = 5;
    public const int Flags = 6;
}

internal static class StatusFields
{
    public const int Message = 2;
    public const int Code = 3;
}

internal static class KeyValueFields
{
    public const int Key = 1;
    public const int Value = 2;
}

internal static class AnyValueFields
{
    public const int StringValue = 1;
    public const int BoolValue = 2;
    public const int IntValue = 3;
    public const int DoubleValue = 4;
    public const int ArrayValue = 5;
    public const int KeyValueListValue = 6;
    public const int BytesValue = 7;
}

/// <summary>ArrayValue.values and KeyValueList.values share field number 1.</summary>
internal static class ListFields
{
    public const int Values = 1;
}

internal static class ExportTraceServiceResponseFields
{
    public const int PartialSuccess = 1;
}

internal static class ExportTracePartialSuccessFields
{
    public const int RejectedSpans = 1;
    public const int ErrorMessage = 2;
}

internal static class RpcStatusFields
{
    public const int Code = 1;
    public const int Message = 2;
}
