using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Ariadne.Model;
using N = Ariadne.Protocols.Otlp.Json.OtlpJsonNames;

namespace Ariadne.Protocols.Otlp.Json;

/// <summary>
/// Writes OTLP JSON as the OTLP specification defines it: lowerCamelCase keys, hex ids, enums as
/// integers, 64-bit integers as decimal strings, default values left out as proto3 JSON does.
/// </summary>
internal static class OtlpJsonEncoder
{
    /// <summary>Room for any 64-bit integer in decimal, sign included.</summary>
    private const int MaxInt64Digits = 20;

    private const int TraceIdHexLength = 2 * TraceId.Size;

    private const int SpanIdHexLength = 2 * SpanId.Size;

    public static void WriteTracesData(SpanBatch batch, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WritePropertyName(N.ResourceSpans);
        WriteResourceSpansArray(batch, writer);
        writer.WriteEndObject();
    }

    public static void WriteResourceSpansArray(SpanBatch batch, Utf8JsonWriter writer)
    {
        var grouping = SpanGrouping.Create(batch);
        writer.WriteStartArray();
        for (var r = 0; r < grouping.Resources.Length; r++)
        {
            ref readonly var resource = ref batch.Resources[grouping.Resources[r]];
            writer.WriteStartObject();
            if (resource.Attributes.Count != 0 || resource.DroppedAttributesCount != 0)
            {
                writer.WriteStartObject(N.Resource);
                WriteAttributes(writer, batch, resource.Attributes);
                WriteCount(writer, N.DroppedAttributesCount, resource.DroppedAttributesCount);
                writer.WriteEndObject();
            }

            writer.WriteStartArray(N.ScopeSpans);
            for (var s = grouping.ScopeStart[r]; s < grouping.ScopeStart[r + 1]; s++)
            {
                ref readonly var scope = ref batch.Scopes[grouping.Scopes[s]];
                writer.WriteStartObject();
                if (!scope.Name.IsEmpty || !scope.Version.IsEmpty || scope.Attributes.Count != 0 || scope.DroppedAttributesCount != 0)
                {
                    writer.WriteStartObject(N.Scope);
                    WriteString(writer, batch, N.Name, scope.Name);
                    WriteString(writer, batch, N.Version, scope.Version);
                    WriteAttributes(writer, batch, scope.Attributes);
                    WriteCount(writer, N.DroppedAttributesCount, scope.DroppedAttributesCount);
                    writer.WriteEndObject();
                }

                writer.WriteStartArray(N.Spans);
                for (var i = grouping.SpanStart[s]; i < grouping.SpanStart[s + 1]; i++)
                {
                    WriteSpan(writer, batch, batch.Spans[grouping.Spans[i]]);
                }

                writer.WriteEndArray();
                WriteString(writer, batch, N.SchemaUrl, scope.SchemaUrl);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            WriteString(writer, batch, N.SchemaUrl, resource.SchemaUrl);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public static void WriteExportResponse(Utf8JsonWriter writer, long rejectedSpans, string? errorMessage)
    {
        writer.WriteStartObject();
        if (rejectedSpans > 0 || !string.IsNullOrEmpty(errorMessage))
        {
            writer.WriteStartObject(N.PartialSuccess);
            if (rejectedSpans > 0)
            {
                writer.WriteString(N.RejectedSpans, rejectedSpans.ToString(CultureInfo.InvariantCulture));
            }

            if (!string.IsNullOrEmpty(errorMessage))
            {
                writer.WriteString(N.ErrorMessage, errorMessage);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    public static void WriteStatus(Utf8JsonWriter writer, int code, string message)
    {
        writer.WriteStartObject();
        writer.WriteNumber(N.Code, code);
        writer.WriteString(N.Message, message);
        writer.WriteEndObject();
    }

    private static void WriteSpan(Utf8JsonWriter writer, SpanBatch batch, in SpanRow span)
    {
        Span<byte> hex = stackalloc byte[TraceIdHexLength];
        writer.WriteStartObject();
        span.TraceId.FormatUtf8(hex);
        writer.WriteString(N.TraceId, hex);
        span.SpanId.FormatUtf8(hex);
        writer.WriteString(N.SpanId, hex[..SpanIdHexLength]);
        WriteString(writer, batch, N.TraceState, span.TraceState);
        if (span.ParentSpanId.IsValid)
        {
            span.ParentSpanId.FormatUtf8(hex);
            writer.WriteString(N.ParentSpanId, hex[..SpanIdHexLength]);
        }

        if (span.Flags != 0)
        {
            writer.WriteNumber(N.Flags, span.Flags);
        }

        WriteString(writer, batch, N.Name, span.Name);
        if (span.Kind != SpanKind.Unspecified)
        {
            writer.WriteNumber(N.Kind, (int)span.Kind);
        }

        WriteUInt64(writer, N.StartTimeUnixNano, span.StartTimeUnixNano);
        WriteUInt64(writer, N.EndTimeUnixNano, span.EndTimeUnixNano);
        WriteAttributes(writer, batch, span.Attributes);
        WriteCount(writer, N.DroppedAttributesCount, span.DroppedAttributesCount);
        if (span.Events.Count > 0)
        {
            writer.WriteStartArray(N.Events);
            foreach (ref readonly var e in batch.Events.Rows.Slice(span.Events.Start, span.Events.Count))
            {
                writer.WriteStartObject();
                WriteUInt64(writer, N.TimeUnixNano, e.TimeUnixNano);
                WriteString(writer, batch, N.Name, e.Name);
                WriteAttributes(writer, batch, e.Attributes);
                WriteCount(writer, N.DroppedAttributesCount, e.DroppedAttributesCount);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        WriteCount(writer, N.DroppedEventsCount, span.DroppedEventsCount);
        if (span.Links.Count > 0)
        {
            writer.WriteStartArray(N.Links);
            foreach (ref readonly var link in batch.Links.Rows.Slice(span.Links.Start, span.Links.Count))
            {
                writer.WriteStartObject();
                link.TraceId.FormatUtf8(hex);
                writer.WriteString(N.TraceId, hex);
                link.SpanId.FormatUtf8(hex);
                writer.WriteString(N.SpanId, hex[..SpanIdHexLength]);
                WriteString(writer, batch, N.TraceState, link.TraceState);
                WriteAttributes(writer, batch, link.Attributes);
                WriteCount(writer, N.DroppedAttributesCount, link.DroppedAttributesCount);
                if (link.Flags != 0)
                {
                    writer.WriteNumber(N.Flags, link.Flags);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        WriteCount(writer, N.DroppedLinksCount, span.DroppedLinksCount);
        if (span.StatusCode != StatusCode.Unset || !span.StatusMessage.IsEmpty)
        {
            writer.WriteStartObject(N.Status);
            WriteString(writer, batch, N.Message, span.StatusMessage);
            if (span.StatusCode != StatusCode.Unset)
            {
                writer.WriteNumber(N.Code, (int)span.StatusCode);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteAttributes(Utf8JsonWriter writer, SpanBatch batch, RowRange attributes)
    {
        if (attributes.Count == 0)
        {
            return;
        }

        writer.WriteStartArray(N.Attributes);
        foreach (ref readonly var kv in batch.AttributesOf(attributes))
        {
            WriteKeyValue(writer, batch, kv);
        }

        writer.WriteEndArray();
    }

    private static void WriteKeyValue(Utf8JsonWriter writer, SpanBatch batch, in KeyValue kv)
    {
        writer.WriteStartObject();
        writer.WriteString(N.Key, batch.Utf8(kv.Key));
        writer.WritePropertyName(N.Value);
        WriteAnyValue(writer, batch, kv.Value);
        writer.WriteEndObject();
    }

    private static void WriteAnyValue(Utf8JsonWriter writer, SpanBatch batch, AnyValue value)
    {
        writer.WriteStartObject();
        switch (value.Kind)
        {
            case ValueKind.String:
                writer.WriteString(N.StringValue, batch.Utf8(value.StringRef));
                break;
            case ValueKind.Bool:
                writer.WriteBoolean(N.BoolValue, value.BoolValue);
                break;
            case ValueKind.Int:
                WriteInt64(writer, N.IntValue, value.IntValue);
                break;
            case ValueKind.Double:
                var d = value.DoubleValue;
                if (double.IsNaN(d))
                {
                    writer.WriteString(N.DoubleValue, "NaN");
                }
                else if (double.IsPositiveInfinity(d))
                {
                    writer.WriteString(N.DoubleValue, "Infinity");
                }
                else if (double.IsNegativeInfinity(d))
                {
                    writer.WriteString(N.DoubleValue, "-Infinity");
                }
                else
                {
                    writer.WriteNumber(N.DoubleValue, d);
                }

                break;
            case ValueKind.Bytes:
                writer.WriteBase64String(N.BytesValue, batch.Utf8(value.StringRef));
                break;
            case ValueKind.Array:
                writer.WriteStartObject(N.ArrayValue);
                writer.WriteStartArray(N.Values);
                foreach (var element in batch.ElementsOf(value))
                {
                    WriteAnyValue(writer, batch, element);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
            case ValueKind.KeyValueList:
                writer.WriteStartObject(N.KvlistValue);
                writer.WriteStartArray(N.Values);
                foreach (ref readonly var entry in batch.EntriesOf(value))
                {
                    WriteKeyValue(writer, batch, entry);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteString(Utf8JsonWriter writer, SpanBatch batch, ReadOnlySpan<byte> name, Utf8Ref value)
    {
        if (!value.IsEmpty)
        {
            writer.WriteString(name, batch.Utf8(value));
        }
    }

    /// <summary>A 64-bit integer as a decimal string, as proto3 JSON writes it; zero is the default and left out.</summary>
    private static void WriteUInt64(Utf8JsonWriter writer, ReadOnlySpan<byte> name, ulong value)
    {
        if (value == 0)
        {
            return;
        }

        Span<byte> digits = stackalloc byte[MaxInt64Digits];
        Utf8Formatter.TryFormat(value, digits, out var written);
        writer.WriteString(name, digits[..written]);
    }

    /// <summary>An intValue, written even when zero: it is a member of a oneof, so its presence is the value's kind.</summary>
    private static void WriteInt64(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long value)
    {
        Span<byte> digits = stackalloc byte[MaxInt64Digits];
        Utf8Formatter.TryFormat(value, digits, out var written);
        writer.WriteString(name, digits[..written]);
    }

    private static void WriteCount(Utf8JsonWriter writer, ReadOnlySpan<byte> name, uint count)
    {
        if (count != 0)
        {
            writer.WriteNumber(name, count);
        }
    }
}
