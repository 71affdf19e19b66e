using System.Buffers;
using System.Text.Json;
using Ariadne.Model;

namespace Ariadne.Protocols.Zipkin;

/// <summary>
/// Decodes Zipkin's v2 JSON (<c>POST /api/v2/spans</c>: an array of span objects) into a batch.
/// Malformed JSON fails the whole request; a span with a bad field (ids, types) or without a service
/// name is rejected alone and counted by the translator.
/// </summary>
internal static class ZipkinJsonDecoder
{
    public static bool TryDecode(ReadOnlySpan<byte> json, SpanBatch batch, ZipkinTranslator translator, out string error)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        var draft = new ZipkinSpanDraft();
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                error = "expected a JSON array of spans";
                return false;
            }

            var position = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    error = $"span {position}: expected a JSON object";
                    return false;
                }

                draft.Reset();
                ReadSpan(ref reader, batch, draft);
                translator.Add(draft, position++);
            }

            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
            {
                error = "unexpected content after the array of spans";
                return false;
            }
        }
        catch (JsonException e)
        {
            error = $"invalid JSON at byte {reader.BytesConsumed}: {e.Message}";
            return false;
        }
        catch (InvalidOperationException e)
        {
            // The reader raises this for a string it cannot unescape or transcode, such as a lone surrogate escape.
            error = $"invalid JSON string at byte {reader.TokenStartIndex}: {e.Message}";
            return false;
        }

        error = string.Empty;
        return true;
    }

    private static void ReadSpan(ref Utf8JsonReader reader, SpanBatch batch, ZipkinSpanDraft draft)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            var escapedName = reader.ValueIsEscaped;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null || escapedName)
            {
                reader.Skip();
                continue;
            }

            if (name.SequenceEqual("traceId"u8))
            {
                if (!TryTraceId(ref reader, out draft.TraceId))
                {
                    draft.FailId("traceId must be 16 or 32 hexadecimal digits, not all zero");
                }
            }
            else if (name.SequenceEqual("id"u8))
            {
                if (!TrySpanId(ref reader, out draft.SpanId) || draft.SpanId == 0)
                {
                    draft.FailId("id must be 16 hexadecimal digits, not all zero");
                }
            }
            else if (name.SequenceEqual("parentId"u8))
            {
                if (!TrySpanId(ref reader, out draft.ParentId))
                {
                    draft.FailId("parentId must be 16 hexadecimal digits");
                }
            }
            else if (name.SequenceEqual("kind"u8))
            {
                draft.Kind = reader.TokenType != JsonTokenType.String ? -1
                    : reader.ValueTextEquals("CLIENT"u8) ? 1
                    : reader.ValueTextEquals("SERVER"u8) ? 2
                    : reader.ValueTextEquals("PRODUCER"u8) ? 3
                    : reader.ValueTextEquals("CONSUMER"u8) ? 4 : -1;
                if (draft.Kind < 0)
                {
                    draft.Kind = 0;
                    draft.FailId("kind must be CLIENT, SERVER, PRODUCER or CONSUMER");
                }
            }
            else if (name.SequenceEqual("name"u8))
            {
                draft.Name = Text(ref reader, batch, draft, "name");
            }
            else if (name.SequenceEqual("timestamp"u8))
            {
                draft.TimestampMicros = Micros(ref reader, draft, "timestamp");
            }
            else if (name.SequenceEqual("duration"u8))
            {
                draft.DurationMicros = Micros(ref reader, draft, "duration");
            }
            else if (name.SequenceEqual("shared"u8))
            {
                draft.Shared = reader.TokenType == JsonTokenType.True;
            }
            else if (name.SequenceEqual("localEndpoint"u8))
            {
                draft.Local = Endpoint(ref reader, batch, draft);
            }
            else if (name.SequenceEqual("remoteEndpoint"u8))
            {
                draft.Remote = Endpoint(ref reader, batch, draft);
            }
            else if (name.SequenceEqual("annotations"u8))
            {
                Annotations(ref reader, batch, draft);
            }
            else if (name.SequenceEqual("tags"u8))
            {
                Tags(ref reader, batch, draft);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static bool TryTraceId(ref Utf8JsonReader reader, out TraceId id)
    {
        id = default;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return false;
        }

        var hex = reader.ValueSpan;
        if (hex.Length == 16 && Hex.TryParseUInt64(hex, out var low))
        {
            id = new TraceId(0, low);
        }
        else if (hex.Length == 32 && Hex.TryParseUInt64(hex[..16], out var high) && Hex.TryParseUInt64(hex[16..], out low))
        {
            id = new TraceId(high, low);
        }

        return id.IsValid;
    }

    private static bool TrySpanId(ref Utf8JsonReader reader, out ulong id)
    {
        id = 0;
        return reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && reader.ValueSpan.Length == 16
            && Hex.TryParseUInt64(reader.ValueSpan, out id);
    }

    private static ulong Micros(ref Utf8JsonReader reader, ZipkinSpanDraft draft, string field)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out var value) && value < ulong.MaxValue / 2000)
        {
            return value;
        }

        draft.FailId($"{field} must be a whole number of microseconds");
        reader.Skip();
        return 0;
    }

    /// <summary>A string value (numbers and bools as their JSON text, as some reporters send tags) into the batch heap.</summary>
    private static Utf8Ref Text(ref Utf8JsonReader reader, SpanBatch batch, ZipkinSpanDraft draft, string field)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String or JsonTokenType.PropertyName when !reader.ValueIsEscaped:
                return batch.AddString(reader.ValueSpan);
            case JsonTokenType.String or JsonTokenType.PropertyName:
                var buffer = ArrayPool<byte>.Shared.Rent(reader.ValueSpan.Length);
                try
                {
                    var length = reader.CopyString(buffer);
                    return batch.AddString(buffer.AsSpan(0, length));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

            case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                return batch.AddString(reader.ValueSpan);
            default:
                draft.FailId($"{field} must be a string");
                reader.Skip();
                return default;
        }
    }

    private static ZipkinEndpoint Endpoint(ref Utf8JsonReader reader, SpanBatch batch, ZipkinSpanDraft draft)
    {
        var endpoint = default(ZipkinEndpoint);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            draft.FailId("an endpoint must be an object");
            reader.Skip();
            return endpoint;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            if (name.SequenceEqual("serviceName"u8))
            {
                endpoint.ServiceName = Text(ref reader, batch, draft, "serviceName");
            }
            else if (name.SequenceEqual("ipv4"u8))
            {
                endpoint.Ipv4 = Text(ref reader, batch, draft, "ipv4");
            }
            else if (name.SequenceEqual("ipv6"u8))
            {
                endpoint.Ipv6 = Text(ref reader, batch, draft, "ipv6");
            }
            else if (name.SequenceEqual("port"u8))
            {
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var port) && port is >= 0 and <= 65535)
                {
                    endpoint.Port = port;
                }
                else
                {
                    draft.FailId("port must be a number from 0 to 65535");
                    reader.Skip();
                }
            }
            else
            {
                reader.Skip();
            }
        }

        return endpoint;
    }

    private static void Annotations(ref Utf8JsonReader reader, SpanBatch batch, ZipkinSpanDraft draft)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            draft.FailId("annotations must be an array");
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                draft.FailId("an annotation must be an object");
                reader.Skip();
                continue;
            }

            ulong timestamp = 0;
            Utf8Ref value = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (name.SequenceEqual("timestamp"u8))
                {
                    timestamp = Micros(ref reader, draft, "annotation timestamp");
                }
                else if (name.SequenceEqual("value"u8))
                {
                    value = Text(ref reader, batch, draft, "annotation value");
                }
                else
                {
                    reader.Skip();
                }
            }

            draft.Annotations.Add((timestamp, value));
        }
    }

    private static void Tags(ref Utf8JsonReader reader, SpanBatch batch, ZipkinSpanDraft draft)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            draft.FailId("tags must be an object of strings");
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = Text(ref reader, batch, draft, "tag key");
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }

            draft.Tags.Add((key, Text(ref reader, batch, draft, "a tag value")));
        }
    }
}
