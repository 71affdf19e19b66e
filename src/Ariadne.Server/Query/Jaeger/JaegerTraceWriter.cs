using System.Globalization;
using System.Text.Json;
using Ariadne.Model;

namespace Ariadne.Server.Query.Jaeger;

/// <summary>
/// Writes traces in the Jaeger query service's JSON model, mapping OTLP the way Jaeger's own OTLP
/// translator does: the resource becomes the process, kind/status/scope/trace state become tags,
/// events become logs, the parent becomes a CHILD_OF reference and links FOLLOWS_FROM references.
/// </summary>
internal static class JaegerTraceWriter
{
    public const string NoServiceName = "OTLPResourceNoServiceName";

    public static void WriteEnvelope(Utf8JsonWriter writer, IReadOnlyList<SpanBatch> traces)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("data");
        foreach (var trace in traces)
        {
            WriteTrace(writer, trace);
        }

        writer.WriteEndArray();
        writer.WriteNumber("total", traces.Count);
        writer.WriteNumber("limit", 0);
        writer.WriteNumber("offset", 0);
        writer.WriteNull("errors");
        writer.WriteEndObject();
    }

    public static void WriteError(Utf8JsonWriter writer, int code, string message)
    {
        writer.WriteStartObject();
        writer.WriteNull("data");
        writer.WriteNumber("total", 0);
        writer.WriteNumber("limit", 0);
        writer.WriteNumber("offset", 0);
        writer.WriteStartArray("errors");
        writer.WriteStartObject();
        writer.WriteNumber("code", code);
        writer.WriteString("msg", message);
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Jaeger prints 64-bit trace ids (high half zero) as 16 hex digits.</summary>
    public static string FormatTraceId(TraceId id) => id.High == 0
        ? id.Low.ToString("x16", CultureInfo.InvariantCulture)
        : id.ToString();

    /// <summary>Jaeger's names for span kinds; unspecified has none.</summary>
    public static string KindName(SpanKind kind) => kind switch
    {
        SpanKind.Internal => "internal",
        SpanKind.Server => "server",
        SpanKind.Client => "client",
        SpanKind.Producer => "producer",
        SpanKind.Consumer => "consumer",
        _ => string.Empty,
    };

    public static void WriteTrace(Utf8JsonWriter writer, SpanBatch trace)
    {
        var processIds = AssignProcesses(trace, out var processOwners);
        writer.WriteStartObject();
        writer.WriteString("traceID", trace.SpanCount > 0 ? FormatTraceId(trace.Spans[0].TraceId) : string.Empty);
        writer.WriteStartArray("spans");
        foreach (ref readonly var span in trace.Spans.Rows)
        {
            WriteSpan(writer, trace, span, processIds[trace.Scopes[span.ScopeIndex].ResourceIndex]);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("processes");
        foreach (var (processId, resourceIndex) in processOwners)
        {
            writer.WriteStartObject(processId);
            WriteProcess(writer, trace, trace.Resources[resourceIndex]);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteNull("warnings");
        writer.WriteEndObject();
    }

    /// <summary>One process per distinct resource; identical resources share one, as Jaeger dedupes them.</summary>
    private static string[] AssignProcesses(SpanBatch trace, out List<(string ProcessId, int ResourceIndex)> owners)
    {
        var ids = new string[trace.Resources.Count];
        owners = new List<(string, int)>();
        var bySignature = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < trace.Resources.Count; i++)
        {
            var signature = ResourceSignature(trace, trace.Resources[i]);
            if (!bySignature.TryGetValue(signature, out var id))
            {
                id = "p" + (owners.Count + 1).ToString(CultureInfo.InvariantCulture);
                bySignature[signature] = id;
                owners.Add((id, i));
            }

            ids[i] = id;
        }

        return ids;
    }

    private static string ResourceSignature(SpanBatch trace, in ResourceRow resource)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            foreach (ref readonly var kv in trace.AttributesOf(resource.Attributes))
            {
                WriteTag(writer, trace, trace.Utf8(kv.Key), kv.Value);
            }

            writer.WriteEndArray();
        }

        return Convert.ToBase64String(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static void WriteProcess(Utf8JsonWriter writer, SpanBatch trace, in ResourceRow resource)
    {
        var serviceName = trace.TryGetString(resource.Attributes, "service.name"u8, out var name) ? trace.GetString(name) : NoServiceName;
        writer.WriteString("serviceName", serviceName);
        writer.WriteStartArray("tags");
        foreach (ref readonly var kv in trace.AttributesOf(resource.Attributes))
        {
            if (kv.Value.Kind == ValueKind.String && trace.StringEquals(kv.Key, "service.name"u8))
            {
                continue;
            }

            WriteTag(writer, trace, trace.Utf8(kv.Key), kv.Value);
        }

        writer.WriteEndArray();
    }

    private static void WriteSpan(Utf8JsonWriter writer, SpanBatch trace, in SpanRow span, string processId)
    {
        writer.WriteStartObject();
        writer.WriteString("traceID", FormatTraceId(span.TraceId));
        writer.WriteString("spanID", span.SpanId.ToString());
        writer.WriteNumber("flags", span.Flags & 0xFF);
        writer.WriteString("operationName", trace.Utf8(span.Name));
        writer.WriteStartArray("references");
        if (span.ParentSpanId.IsValid)
        {
            WriteReference(writer, "CHILD_OF", span.TraceId, span.ParentSpanId);
        }

        foreach (ref readonly var link in trace.Links.Rows.Slice(span.Links.Start, span.Links.Count))
        {
            WriteReference(writer, "FOLLOWS_FROM", link.TraceId, link.SpanId);
        }

        writer.WriteEndArray();
        writer.WriteNumber("startTime", span.StartTimeUnixNano / 1000);
        writer.WriteNumber("duration", span.DurationNanos / 1000);
        writer.WriteStartArray("tags");
        foreach (ref readonly var kv in trace.AttributesOf(span.Attributes))
        {
            WriteTag(writer, trace, trace.Utf8(kv.Key), kv.Value);
        }

        WriteDerivedTags(writer, trace, span);
        writer.WriteEndArray();
        writer.WriteStartArray("logs");
        foreach (ref readonly var e in trace.Events.Rows.Slice(span.Events.Start, span.Events.Count))
        {
            WriteLog(writer, trace, e);
        }

        writer.WriteEndArray();
        writer.WriteString("processID", processId);
        writer.WriteNull("warnings");
        writer.WriteEndObject();
    }

    private static void WriteDerivedTags(Utf8JsonWriter writer, SpanBatch trace, in SpanRow span)
    {
        var scope = trace.Scopes[span.ScopeIndex];
        if (!scope.Name.IsEmpty)
        {
            WriteStringTag(writer, "otel.scope.name"u8, trace.Utf8(scope.Name));
        }

        if (!scope.Version.IsEmpty)
        {
            WriteStringTag(writer, "otel.scope.version"u8, trace.Utf8(scope.Version));
        }

        var kind = KindName(span.Kind);
        if (kind.Length > 0)
        {
            WriteStringTag(writer, "span.kind"u8, System.Text.Encoding.UTF8.GetBytes(kind));
        }

        if (span.StatusCode == StatusCode.Ok)
        {
            WriteStringTag(writer, "otel.status_code"u8, "OK"u8);
        }
        else if (span.StatusCode == StatusCode.Error)
        {
            WriteStringTag(writer, "otel.status_code"u8, "ERROR"u8);
            writer.WriteStartObject();
            writer.WriteString("key"u8, "error"u8);
            writer.WriteString("type"u8, "bool"u8);
            writer.WriteBoolean("value"u8, true);
            writer.WriteEndObject();
        }

        if (!span.StatusMessage.IsEmpty)
        {
            WriteStringTag(writer, "otel.status_description"u8, trace.Utf8(span.StatusMessage));
        }

        if (!span.TraceState.IsEmpty)
        {
            WriteStringTag(writer, "w3c.tracestate"u8, trace.Utf8(span.TraceState));
        }

        WriteCountTag(writer, "otel.dropped_attributes_count"u8, span.DroppedAttributesCount);
        WriteCountTag(writer, "otel.dropped_events_count"u8, span.DroppedEventsCount);
        WriteCountTag(writer, "otel.dropped_links_count"u8, span.DroppedLinksCount);
    }

    private static void WriteLog(Utf8JsonWriter writer, SpanBatch trace, in EventRow e)
    {
        writer.WriteStartObject();
        writer.WriteNumber("timestamp", e.TimeUnixNano / 1000);
        writer.WriteStartArray("fields");
        var hasEventAttribute = false;
        foreach (ref readonly var kv in trace.AttributesOf(e.Attributes))
        {
            hasEventAttribute |= trace.StringEquals(kv.Key, "event"u8);
            WriteTag(writer, trace, trace.Utf8(kv.Key), kv.Value);
        }

        if (!e.Name.IsEmpty && !hasEventAttribute)
        {
            WriteStringTag(writer, "event"u8, trace.Utf8(e.Name));
        }

        WriteCountTag(writer, "otel.dropped_attributes_count"u8, e.DroppedAttributesCount);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteReference(Utf8JsonWriter writer, string type, TraceId traceId, SpanId spanId)
    {
        writer.WriteStartObject();
        writer.WriteString("refType", type);
        writer.WriteString("traceID", FormatTraceId(traceId));
        writer.WriteString("spanID", spanId.ToString());
        writer.WriteEndObject();
    }

    private static void WriteStringTag(Utf8JsonWriter writer, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        writer.WriteStartObject();
        writer.WriteString("key"u8, key);
        writer.WriteString("type"u8, "string"u8);
        writer.WriteString("value"u8, value);
        writer.WriteEndObject();
    }

    private static void WriteCountTag(Utf8JsonWriter writer, ReadOnlySpan<byte> key, uint count)
    {
        if (count == 0)
        {
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("key"u8, key);
        writer.WriteString("type"u8, "int64"u8);
        writer.WriteNumber("value"u8, count);
        writer.WriteEndObject();
    }

    /// <summary>Typed tags; arrays and maps become JSON strings, as Jaeger's translator renders them.</summary>
    private static void WriteTag(Utf8JsonWriter writer, SpanBatch trace, ReadOnlySpan<byte> key, AnyValue value)
    {
        writer.WriteStartObject();
        writer.WriteString("key"u8, key);
        switch (value.Kind)
        {
            case ValueKind.Bool:
                writer.WriteString("type"u8, "bool"u8);
                writer.WriteBoolean("value"u8, value.BoolValue);
                break;
            case ValueKind.Int:
                writer.WriteString("type"u8, "int64"u8);
                writer.WriteNumber("value"u8, value.IntValue);
                break;
            case ValueKind.Double:
                writer.WriteString("type"u8, "float64"u8);
                if (double.IsFinite(value.DoubleValue))
                {
                    writer.WriteNumber("value"u8, value.DoubleValue);
                }
                else
                {
                    writer.WriteString("value"u8, value.DoubleValue.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case ValueKind.Bytes:
                writer.WriteString("type"u8, "binary"u8);
                writer.WriteBase64String("value"u8, trace.Utf8(value.StringRef));
                break;
            case ValueKind.String:
                writer.WriteString("type"u8, "string"u8);
                writer.WriteString("value"u8, trace.Utf8(value.StringRef));
                break;
            default:
                writer.WriteString("type"u8, "string"u8);
                writer.WriteString("value"u8, AnyValueText.ToJson(trace, value));
                break;
        }

        writer.WriteEndObject();
    }
}
