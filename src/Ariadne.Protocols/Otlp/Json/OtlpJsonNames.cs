namespace Ariadne.Protocols.Otlp.Json;

/// <summary>
/// OTLP JSON keys: the lowerCamelCase names the OTLP specification requires, and the original
/// snake_case proto field names that proto3 JSON parsers also accept.
/// </summary>
internal static class OtlpJsonNames
{
    public static ReadOnlySpan<byte> ResourceSpans => "resourceSpans"u8;

    public static ReadOnlySpan<byte> ResourceSpansSnake => "resource_spans"u8;

    public static ReadOnlySpan<byte> Resource => "resource"u8;

    public static ReadOnlySpan<byte> ScopeSpans => "scopeSpans"u8;

    public static ReadOnlySpan<byte> ScopeSpansSnake => "scope_spans"u8;

    public static ReadOnlySpan<byte> SchemaUrl => "schemaUrl"u8;

    public static ReadOnlySpan<byte> SchemaUrlSnake => "schema_url"u8;

    public static ReadOnlySpan<byte> Scope => "scope"u8;

    public static ReadOnlySpan<byte> Spans => "spans"u8;

    public static ReadOnlySpan<byte> Name => "name"u8;

    public static ReadOnlySpan<byte> Version => "version"u8;

    public static ReadOnlySpan<byte> Attributes => "attributes"u8;

    public static ReadOnlySpan<byte> DroppedAttributesCount => "droppedAttributesCount"u8;

    public static ReadOnlySpan<byte> DroppedAttributesCountSnake => "dropped_attributes_count"u8;

    public static ReadOnlySpan<byte> TraceId => "traceId"u8;

    public static ReadOnlySpan<byte> TraceIdSnake => "trace_id"u8;

    public static ReadOnlySpan<byte> SpanId => "spanId"u8;

    public static ReadOnlySpan<byte> SpanIdSnake => "span_id"u8;

    public static ReadOnlySpan<byte> TraceState => "traceState"u8;

    public static ReadOnlySpan<byte> TraceStateSnake => "trace_state"u8;

    public static ReadOnlySpan<byte> ParentSpanId => "parentSpanId"u8;

    public static ReadOnlySpan<byte> ParentSpanIdSnake => "parent_span_id"u8;

    public static ReadOnlySpan<byte> Flags => "flags"u8;

    public static ReadOnlySpan<byte> Kind => "kind"u8;

    public static ReadOnlySpan<byte> StartTimeUnixNano => "startTimeUnixNano"u8;

    public static ReadOnlySpan<byte> StartTimeUnixNanoSnake => "start_time_unix_nano"u8;

    public static ReadOnlySpan<byte> EndTimeUnixNano => "endTimeUnixNano"u8;

    public static ReadOnlySpan<byte> EndTimeUnixNanoSnake => "end_time_unix_nano"u8;

    public static ReadOnlySpan<byte> Events => "events"u8;

    public static ReadOnlySpan<byte> DroppedEventsCount => "droppedEventsCount"u8;

    public static ReadOnlySpan<byte> DroppedEventsCountSnake => "dropped_events_count"u8;

    public static ReadOnlySpan<byte> Links => "links"u8;

    public static ReadOnlySpan<byte> DroppedLinksCount => "droppedLinksCount"u8;

    public static ReadOnlySpan<byte> DroppedLinksCountSnake => "dropped_links_count"u8;

    public static ReadOnlySpan<byte> Status => "status"u8;

    public static ReadOnlySpan<byte> Message => "message"u8;

    public static ReadOnlySpan<byte> Code => "code"u8;

    public static ReadOnlySpan<byte> TimeUnixNano => "timeUnixNano"u8;

    public static ReadOnlySpan<byte> TimeUnixNanoSnake => "time_unix_nano"u8;

    public static ReadOnlySpan<byte> Key => "key"u8;

    public static ReadOnlySpan<byte> Value => "value"u8;

    public static ReadOnlySpan<byte> Values => "values"u8;

    public static ReadOnlySpan<byte> StringValue => "stringValue"u8;

    public static ReadOnlySpan<byte> StringValueSnake => "string_value"u8;

    public static ReadOnlySpan<byte> BoolValue => "boolValue"u8;

    public static ReadOnlySpan<byte> BoolValueSnake => "bool_value"u8;

    public static ReadOnlySpan<byte> IntValue => "intValue"u8;

    public static ReadOnlySpan<byte> IntValueSnake => "int_value"u8;

    public static ReadOnlySpan<byte> DoubleValue => "doubleValue"u8;

    public static ReadOnlySpan<byte> DoubleValueSnake => "double_value"u8;

    public static ReadOnlySpan<byte> ArrayValue => "arrayValue"u8;

    public static ReadOnlySpan<byte> ArrayValueSnake => "array_value"u8;

    public static ReadOnlySpan<byte> KvlistValue => "kvlistValue"u8;

    public static ReadOnlySpan<byte> KvlistValueSnake => "kvlist_value"u8;

    public static ReadOnlySpan<byte> BytesValue => "bytesValue"u8;

    public static ReadOnlySpan<byte> BytesValueSnake => "bytes_value"u8;

    public static ReadOnlySpan<byte> PartialSuccess => "partialSuccess"u8;

    public static ReadOnlySpan<byte> RejectedSpans => "rejectedSpans"u8;

    public static ReadOnlySpan<byte> ErrorMessage => "errorMessage"u8;
}
