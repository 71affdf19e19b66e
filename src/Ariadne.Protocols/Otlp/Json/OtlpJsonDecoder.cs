using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Ariadne.Model;
using N = Ariadne.Protocols.Otlp.Json.OtlpJsonNames;

namespace Ariadne.Protocols.Otlp.Json;

/// <summary>
/// Decodes an OTLP/JSON <c>ExportTraceServiceRequest</c> into a <see cref="SpanBatch"/> with
/// <see cref="Utf8JsonReader"/>: no DOM and no .NET strings, string values go from the request (or,
/// when escaped, from one reused unescape buffer) straight into the batch heap. Keys may come in any
/// order. Attribute ranges stay contiguous because an owner's attribute array is read to its end
/// before anything else of that owner, and the only tables written while it is read
/// (<see cref="SpanBatch.NestedAttributes"/>, <see cref="SpanBatch.ArrayValues"/>) are filled from
/// stacks that copy an inner list out whole before its parent continues.
/// A bad id marks the span defective; malformed JSON or a wrong type for a known field fails the
/// request with nothing appended to the batch.
/// </summary>
internal static class OtlpJsonDecoder
{
    /// <summary>
    /// JSON nesting refused past this depth. An AnyValue level costs three (value object, arrayValue
    /// or kvlistValue object, values array), which leaves about eighteen levels of nested values.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>An id may arrive with every hex digit escaped as \u00XX: six bytes per digit.</summary>
    private const int MaxEscapedIdLength = 6 * 2 * TraceId.Size;

    private const int NoOrdinal = -1;

    [ThreadStatic]
    private static JsonDecodeScratch? t_scratch;

    public static bool TryDecode(ReadOnlySpan<byte> utf8Json, SpanBatch batch, out string? error)
    {
        var scratch = t_scratch ??= new JsonDecodeScratch();
        var checkpoint = new BatchCheckpoint(batch);
        scratch.Begin(batch);
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        var decoder = new Decoder(batch, scratch);
        try
        {
            decoder.ReadDocument(ref reader);
            error = null;
            return true;
        }
        catch (JsonException e)
        {
            error = OneLine($"invalid JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // The reader raises this for text it cannot unescape or transcode, such as a lone surrogate escape.
            error = OneLine($"invalid JSON string at byte {reader.TokenStartIndex}: {e.Message}");
        }
        catch (JsonFormatException e)
        {
            error = OneLine(e.Message);
        }
        finally
        {
            scratch.End();
        }

        checkpoint.RollBack(batch);
        return false;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    private ref struct Decoder
    {
        private readonly SpanBatch _batch;
        private readonly JsonDecodeScratch _scratch;
        private int _resourceOrdinal;
        private int _scopeOrdinal;
        private int _spanOrdinal;

        public Decoder(SpanBatch batch, JsonDecodeScratch scratch)
        {
            _batch = batch;
            _scratch = scratch;
            _resourceOrdinal = NoOrdinal;
            _scopeOrdinal = NoOrdinal;
            _spanOrdinal = NoOrdinal;
        }

        public void ReadDocument(ref Utf8JsonReader reader)
        {
            if (!reader.Read())
            {
                JsonThrowHelper.ThrowInvalidValue("request", "is empty; expected a JSON object", 0);
            }

            ExpectStartObject(ref reader, "request");
            while (NextProperty(ref reader))
            {
                if (Is(ref reader, N.ResourceSpans, N.ResourceSpansSnake))
                {
                    if (StartArrayOrNull(ref reader, "resourceSpans"))
                    {
                        var ordinal = 0;
                        while (NextElement(ref reader))
                        {
                            _resourceOrdinal = ordinal++;
                            ReadResourceSpans(ref reader);
                        }

                        _resourceOrdinal = NoOrdinal;
                    }
                }
                else
                {
                    SkipValue(ref reader);
                }
            }

            if (reader.Read())
            {
                JsonThrowHelper.ThrowTrailingContent(reader.TokenStartIndex);
            }
        }

        private void ReadResourceSpans(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return;
            }

            ExpectStartObject(ref reader, "resourceSpans[]");
            var resourceIndex = _batch.Resources.Add(default);
            while (NextProperty(ref reader))
            {
                if (Is(ref reader, N.Resource))
                {
                    ReadResource(ref reader, resourceIndex);
                }
                else if (Is(ref reader, N.ScopeSpans, N.ScopeSpansSnake))
                {
                    if (StartArrayOrNull(ref reader, "scopeSpans"))
                    {
                        var ordinal = 0;
                        while (NextElement(ref reader))
                        {
                            _scopeOrdinal = ordinal++;
                            ReadScopeSpans(ref reader, resourceIndex);
                        }

                        _scopeOrdinal = NoOrdinal;
                    }
                }
                else if (Is(ref reader, N.SchemaUrl, N.SchemaUrlSnake))
                {
                    _batch.Resources[resourceIndex].SchemaUrl = ReadString(ref reader, "schemaUrl");
                }
                else
                {
                    SkipValue(ref reader);
                }
            }
        }

        private void ReadResource(ref Utf8JsonReader reader, int resourceIndex)
        {
            Advance(ref reader);
            if (reader.TokenType == JsonTokenType.Null)
            {
                return;
            }

            ExpectStartObject(ref reader, "resource");
            while (NextProperty(ref reader))
            {
                if (Is(ref reader, N.Attributes))
                {
                    var attributes = ReadAttributes(ref reader, "resource.attributes");
                    _batch.Resources[resourceIndex].Attributes = attributes;
                }
                else if (Is(ref reader, N.DroppedAttributesCount, N.DroppedAttributesCountSnake))
                {
                    _batch.Resources[resourceIndex].DroppedAttributesCount = ReadUInt32(ref reader, "resource.droppedAttributesCount");
                }
                else
                {
                    SkipValue(ref reader);
                }
            }
        }

        private void ReadScopeSpans(ref Utf8JsonReader reader, int resourceIndex)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return;
            }

            ExpectStartObject(ref reader, "scopeSpans[]");
            var scopeIndex = _batch.Scopes.Add(new ScopeRow { ResourceIndex = resourceIndex });
            while (NextProperty(ref reader))
            {
                if (Is(ref reader, N.Scope))
                {
                    ReadScope(ref reader, scopeIndex);
                }
                else if (Is(ref reader, N.Spans))
                {
                    if (StartArrayOrNull(ref reader, "spans"))
                    {
                        var ordinal = 0;
                        while (NextElement(ref reader))
                        {
                            _spanOrdinal = ordinal++;
                            ReadSpan(ref reader, scopeIndex);
                        }

                        _spanOrdinal = NoOrdinal;
                    }
                }
                else if (Is(ref reader, N.SchemaUrl, N.SchemaUrlSnake))
                {
                    _batch.Scopes[scopeIndex].SchemaUrl = ReadString(ref reader, "schemaUrl");
                }
                else
                {
                    SkipValue(ref reader);
                }
            }
        }

        private void ReadScope(ref Utf8JsonReader reader, int scopeIndex)
        {
            Advance(ref reader);
            if (reader.TokenType == JsonTokenType.Null)
            {
                return;
            }

            ExpectStartObject(ref reader, "scope");
            while (NextProperty(ref reader))
            {
                if (Is(ref reader, N.Name))
                {
                    _batch.Scopes[scopeIndex].Name = ReadString(ref reader, "scope.name");
                }
                else if (Is(ref reader, N.Version))
                {
                    _batch.Scopes[scopeIndex].Version = ReadString(ref reader, "scope.version");
                }
                else if (Is(ref reader, N.Attributes))
                {
                    var attributes = ReadAttributes(ref reader, "scope.attributes");
                    _batch.Scopes[scopeIndex].Attributes = attributes;
                }
                else if (Is(ref reader, N.DroppedAttributesCount, N.DroppedAttributesCountSnake))
                {
                    _batch.Scopes[scopeIndex].DroppedAttributesCount = ReadUInt32(ref reader, "scope.droppedAttributesCount");
                }
                else
                {
                    SkipValue(ref reader);
                }
            }
        }

        private void ReadSpan(ref Utf8JsonReader reader, int scopeIndex)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return;
            }

            ExpectStartObject(ref reader, "spans[]");
            var span = new SpanRow { ScopeIndex = scopeIndex };
            var traceIdSeen = false;
            var spanIdSeen = false;
            var linksValid = true;
            while (NextProperty(ref reader))
            {
                if (Is(ref reader, N.TraceId, N.TraceIdSnake))
                {
                    traceIdSeen = true;
                    if (!ReadTraceId(ref reader, "traceId", out span.TraceId))
                    {
                        SpanValidator.MarkDefect(ref span, SpanDefect.InvalidTraceId);
                    }
                }
                else if (Is(ref reader, N.SpanId, N.SpanIdSnake))
                {
                    spanIdSeen = true;
                    if (!ReadSpanId(ref reader, "spanId", emptyMeansNone: false, out span.SpanId))
                    {
                        SpanValidator.MarkDefect(ref span, SpanDefect.InvalidSpanId);
                    }
                }
                else if (Is(ref reader, N.ParentSpanId, N.ParentSpanIdSnake))
                {
                    if (!ReadSpanId(ref reader, "parentSpanId", emptyMeansNone: true, out span.ParentSpanId))
                    {
                        SpanValidator.MarkDefect(ref span, SpanDefect.InvalidParentSpanId);
                    }
                }
                else if (Is(ref reader, N.TraceState, N.TraceStateSnake))
                {
                    span.TraceState = ReadString(ref reader, "traceState");
                }
                else if (Is(ref reader, N.Name))
                {
                    span.Name = ReadString(ref reader, "name");
                }
                else if (Is(ref reader, N.Kind))
                {
                    span.Kind = ReadSpanKind(ref reader);
                }
                else if (Is(ref reader, N.Flags))
                {
                    span.Flags = ReadUInt32(ref reader, "flags");
                }
                else if (Is(ref reader, N.StartTimeUnixNano, N.StartTimeUnixNanoSnake))
                {
                    span.StartTimeUnixNano = ReadUInt64(ref reader, "startTimeUnixNano");
                }
                else if (Is(ref reader, N.EndTimeUnixNano, N.EndTimeUnixNanoSnake))
                {
                    span.EndTimeUnixNano = ReadUInt64(ref reader, "endTimeUnixNano");
                }
                else if (Is(ref reader, N.Attributes))
                {
                    span.Attributes = ReadAttributes(ref reader, "attributes");
                }
                else if (Is(ref reader, N.DroppedAttributesCount, N.DroppedAttributesCountSnake))
                {
                    span.DroppedAttributesCount = ReadUInt32(ref reader, "droppedAttributesCount");
                }
                else if (Is(ref reader, N.Events))
                {
                    span.Events = ReadEvents(ref reader);
                }
                else if (Is(ref reader, N.DroppedEventsCount, N.DroppedEventsCountSnake))
                {
                    span.DroppedEventsCount = ReadUInt32(ref reader, "droppedEventsCount");
                }
                else if (Is(ref reader, N.Links))
                {
                    span.Links = ReadLinks(ref reader, out linksValid);
                }
                else if (Is(ref reader, N.DroppedLinksCount, N.DroppedLinksCountSnake))
                {
                    span.DroppedLinksCount = ReadUInt32(ref reader, "droppedLinksCount");
                }
                else if (Is(ref reader, N.Status))
                {
                    ReadStatus(ref reader, ref span);
                }
                else
                {
                    SkipValue(ref reader);
                }
            }

            if (!traceIdSeen)
            {
                SpanValidator.MarkDefect(ref span, SpanDefect.InvalidTraceId);
            }

            if (!spanIdSeen)
            {
                SpanValidator.MarkDefect(ref span, SpanDefect.InvalidSpanId);
            }

            if (!linksValid)
            {
                SpanValidator.MarkDefect(ref span, SpanDefect.InvalidLink);
            }

            SpanValidator.Validate(ref span);
            _batch.Spans.Add(span);
        }

        private void ReadStatus(ref Utf8JsonReader reader, ref SpanRow span)
        {
            Advance(ref reader);
            if (reader.TokenType == JsonTokenType.Null)
            {
                return;
            }

            ExpectStartObject(ref reader, "status");
            while (NextProperty(ref reader))
            {
                if (Is(ref reader, N.Message))
                {
                    span.StatusMessage = ReadString(ref reader, "status.message");
                }
                else if (Is(ref reader, N.Code))
                {
                    span.StatusCode = ReadStatusCode(ref reader);
                }
                else
                {
                    SkipValue(ref reader);
                }
            }
        }

        /// <summary>
        /// Appends the events straight to the batch: nothing else adds events while a span's event
        /// array is read, so they form one run without a scratch copy.
        /// </summary>
        private RowRange ReadEvents(ref Utf8JsonReader reader)
        {
            var start = _batch.Events.Count;
            if (!StartArrayOrNull(ref reader, "events"))
            {
                return default;
            }

            while (NextElement(ref reader))
            {
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                ExpectStartObject(ref reader, "events[]");
                var row = default(EventRow);
                while (NextProperty(ref reader))
                {
                    if (Is(ref reader, N.TimeUnixNano, N.TimeUnixNanoSnake))
                    {
                        row.TimeUnixNano = ReadUInt64(ref reader, "events[].timeUnixNano");
                    }
                    else if (Is(ref reader, N.Name))
                    {
                        row.Name = ReadString(ref reader, "events[].name");
                    }
                    else if (Is(ref reader, N.Attributes))
                    {
                        row.Attributes = ReadAttributes(ref reader, "events[].attributes");
                    }
                    else if (Is(ref reader, N.DroppedAttributesCount, N.DroppedAttributesCountSnake))
                    {
                        row.DroppedAttributesCount = ReadUInt32(ref reader, "events[].droppedAttributesCount");
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }

                _batch.Events.Add(row);
            }

            return new RowRange(start, _batch.Events.Count - start);
        }

        private RowRange ReadLinks(ref Utf8JsonReader reader, out bool valid)
        {
            valid = true;
            var start = _batch.Links.Count;
            if (!StartArrayOrNull(ref reader, "links"))
            {
                return default;
            }

            while (NextElement(ref reader))
            {
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                ExpectStartObject(ref reader, "links[]");
                var row = default(LinkRow);
                var traceIdValid = false;
                var spanIdValid = false;
                while (NextProperty(ref reader))
                {
                    if (Is(ref reader, N.TraceId, N.TraceIdSnake))
                    {
                        traceIdValid = ReadTraceId(ref reader, "links[].traceId", out row.TraceId);
                    }
                    else if (Is(ref reader, N.SpanId, N.SpanIdSnake))
                    {
                        spanIdValid = ReadSpanId(ref reader, "links[].spanId", emptyMeansNone: false, out row.SpanId);
                    }
                    else if (Is(ref reader, N.TraceState, N.TraceStateSnake))
                    {
                        row.TraceState = ReadString(ref reader, "links[].traceState");
                    }
                    else if (Is(ref reader, N.Attributes))
                    {
                        row.Attributes = ReadAttributes(ref reader, "links[].attributes");
                    }
                    else if (Is(ref reader, N.DroppedAttributesCount, N.DroppedAttributesCountSnake))
                    {
                        row.DroppedAttributesCount = ReadUInt32(ref reader, "links[].droppedAttributesCount");
                    }
                    else if (Is(ref reader, N.Flags))
                    {
                        row.Flags = ReadUInt32(ref reader, "links[].flags");
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }

                valid &= traceIdValid && spanIdValid;
                _batch.Links.Add(row);
            }

            return new RowRange(start, _batch.Links.Count - start);
        }

        /// <summary>
        /// Appends an attribute array straight to <see cref="SpanBatch.Attributes"/>: values nested in
        /// it go to other tables, so its entries form one run.
        /// </summary>
        private RowRange ReadAttributes(ref Utf8JsonReader reader, string field)
        {
            var start = _batch.Attributes.Count;
            if (!StartArrayOrNull(ref reader, field))
            {
                return default;
            }

            while (NextElement(ref reader))
            {
                if (reader.TokenType != JsonTokenType.Null)
                {
                    _batch.Attributes.Add(ReadKeyValue(ref reader, field));
                }
            }

            return new RowRange(start, _batch.Attributes.Count - start);
        }

        /// <summary>Reads the key-value object at the current token.</summary>
        private KeyValue ReadKeyValue(ref Utf8JsonReader reader, string field)
        {
            ExpectStartObject(ref reader, field);
            var entry = default(KeyValue);
            while (NextProperty(ref reader))
            {
                if (Is(ref reader, N.Key))
                {
                    entry.Key = ReadString(ref reader, "key");
                }
                else if (Is(ref reader, N.Value))
                {
                    Advance(ref reader);
                    entry.Value = ReadAnyValue(ref reader);
                }
                else
                {
                    SkipValue(ref reader);
                }
            }

            return entry;
        }

        /// <summary>Reads the AnyValue object (or null) at the current token.</summary>
        private AnyValue ReadAnyValue(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return AnyValue.Empty;
            }

            ExpectStartObject(ref reader, "value");
            var value = AnyValue.Empty;
            while (NextProperty(ref reader))
            {
                // A later member of the oneof replaces an earlier one, as proto3 parsers that allow it do;
                // a null member leaves the value as it was.
                if (Is(ref reader, N.StringValue, N.StringValueSnake))
                {
                    Advance(ref reader);
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        ExpectToken(ref reader, JsonTokenType.String, "value.stringValue", "a string");
                        value = AnyValue.FromString(AddString(ref reader));
                    }
                }
                else if (Is(ref reader, N.BoolValue, N.BoolValueSnake))
                {
                    Advance(ref reader);
                    value = reader.TokenType switch
                    {
                        JsonTokenType.True => AnyValue.FromBool(true),
                        JsonTokenType.False => AnyValue.FromBool(false),
                        JsonTokenType.Null => value,
                        _ => JsonThrowHelper.ThrowWrongType<AnyValue>(Where("value.boolValue"), "true or false", reader.TokenType, reader.TokenStartIndex),
                    };
                }
                else if (Is(ref reader, N.IntValue, N.IntValueSnake))
                {
                    Advance(ref reader);
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        value = AnyValue.FromInt(Int64Here(ref reader, "value.intValue"));
                    }
                }
                else if (Is(ref reader, N.DoubleValue, N.DoubleValueSnake))
                {
                    Advance(ref reader);
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        value = AnyValue.FromDouble(DoubleHere(ref reader, "value.doubleValue"));
                    }
                }
                else if (Is(ref reader, N.BytesValue, N.BytesValueSnake))
                {
                    Advance(ref reader);
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        value = AnyValue.FromBytes(Base64Here(ref reader, "value.bytesValue"));
                    }
                }
                else if (Is(ref reader, N.ArrayValue, N.ArrayValueSnake))
                {
                    Advance(ref reader);
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        value = ReadArrayValue(ref reader);
                    }
                }
                else if (Is(ref reader, N.KvlistValue, N.KvlistValueSnake))
                {
                    Advance(ref reader);
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        value = ReadKeyValueList(ref reader);
                    }
                }
                else
                {
                    SkipValue(ref reader);
                }
            }

            return value;
        }

        private AnyValue ReadArrayValue(ref Utf8JsonReader reader)
        {
            ExpectStartObject(ref reader, "value.arrayValue");
            var elements = default(RowRange);
            while (NextProperty(ref reader))
            {
                if (!Is(ref reader, N.Values) || !StartArrayOrNull(ref reader, "value.arrayValue.values"))
                {
                    SkipValueIfProperty(ref reader);
                    continue;
                }

                var first = _scratch.ElementCount;
                while (NextElement(ref reader))
                {
                    _scratch.PushElement(ReadAnyValue(ref reader));
                }

                elements = _scratch.PopElementsInto(_batch.ArrayValues, first);
            }

            return AnyValue.FromArray(elements);
        }

        private AnyValue ReadKeyValueList(ref Utf8JsonReader reader)
        {
            ExpectStartObject(ref reader, "value.kvlistValue");
            var entries = default(RowRange);
            while (NextProperty(ref reader))
            {
                if (!Is(ref reader, N.Values) || !StartArrayOrNull(ref reader, "value.kvlistValue.values"))
                {
                    SkipValueIfProperty(ref reader);
                    continue;
                }

                var first = _scratch.EntryCount;
                while (NextElement(ref reader))
                {
                    if (reader.TokenType != JsonTokenType.Null)
                    {
                        _scratch.PushEntry(ReadKeyValue(ref reader, "value.kvlistValue.values[]"));
                    }
                }

                entries = _scratch.PopEntriesInto(_batch.NestedAttributes, first);
            }

            return AnyValue.FromKeyValueList(entries);
        }

        private Utf8Ref ReadString(ref Utf8JsonReader reader, string field)
        {
            Advance(ref reader);
            if (reader.TokenType == JsonTokenType.Null)
            {
                return default;
            }

            ExpectToken(ref reader, JsonTokenType.String, field, "a string");
            return AddString(ref reader);
        }

        /// <summary>Stores the string token's value: its raw bytes when unescaped, else unescaped once.</summary>
        private Utf8Ref AddString(ref Utf8JsonReader reader)
        {
            if (!reader.ValueIsEscaped)
            {
                return _scratch.Strings.Add(reader.ValueSpan);
            }

            // Unescaping never lengthens a string, so the escaped length is enough room.
            var buffer = _scratch.Text(reader.ValueSpan.Length);
            var written = reader.CopyString(buffer);
            return _scratch.Strings.Add(buffer[..written]);
        }

        private Utf8Ref Base64Here(ref Utf8JsonReader reader, string field)
        {
            ExpectToken(ref reader, JsonTokenType.String, field, "a base64 string");
            var text = reader.ValueSpan;
            if (reader.ValueIsEscaped)
            {
                // Some writers escape '/' as "\/".
                var buffer = _scratch.Text(text.Length);
                text = buffer[..reader.CopyString(buffer)];
            }

            var heap = _batch.Heap;
            // The URL-safe bound also covers unpadded text, which the standard bound undercounts.
            var start = heap.Reserve(Base64Url.GetMaxDecodedLength(text.Length));
            var destination = heap.Rows[start..];
            var status = Base64.DecodeFromUtf8(text, destination, out _, out var written);
            if (status != OperationStatus.Done)
            {
                // proto3 JSON parsers also accept the URL-safe alphabet, with or without padding.
                status = Base64Url.DecodeFromUtf8(text, destination, out _, out written);
            }

            if (status != OperationStatus.Done)
            {
                heap.Truncate(start);
                JsonThrowHelper.ThrowInvalidValue(Where(field), "is not valid base64", reader.TokenStartIndex);
            }

            heap.Truncate(start + written);
            return written == 0 ? default : new Utf8Ref(start, written);
        }

        /// <summary>False when the id is absent, not hex or of the wrong length; the span is then defective, not the request.</summary>
        private readonly bool ReadTraceId(ref Utf8JsonReader reader, string field, out TraceId id)
        {
            id = default;
            Advance(ref reader);
            if (reader.TokenType == JsonTokenType.Null)
            {
                return false;
            }

            ExpectToken(ref reader, JsonTokenType.String, field, "a hex string");
            if (!reader.ValueIsEscaped)
            {
                return TraceId.TryParse(reader.ValueSpan, out id);
            }

            Span<byte> buffer = stackalloc byte[MaxEscapedIdLength];
            return reader.ValueSpan.Length <= buffer.Length && TraceId.TryParse(buffer[..reader.CopyString(buffer)], out id);
        }

        private readonly bool ReadSpanId(ref Utf8JsonReader reader, string field, bool emptyMeansNone, out SpanId id)
        {
            id = default;
            Advance(ref reader);
            if (reader.TokenType == JsonTokenType.Null)
            {
                return emptyMeansNone;
            }

            ExpectToken(ref reader, JsonTokenType.String, field, "a hex string");
            if (!reader.ValueIsEscaped)
            {
                return reader.ValueSpan.IsEmpty ? emptyMeansNone : SpanId.TryParse(reader.ValueSpan, out id);
            }

            Span<byte> buffer = stackalloc byte[MaxEscapedIdLength];
            return reader.ValueSpan.Length <= buffer.Length && SpanId.TryParse(buffer[..reader.CopyString(buffer)], out id);
        }

        private readonly ulong ReadUInt64(ref Utf8JsonReader reader, string field)
        {
            Advance(ref reader);
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out var number))
            {
                return number;
            }

            if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
                && Utf8Parser.TryParse(reader.ValueSpan, out ulong parsed, out var consumed) && consumed == reader.ValueSpan.Length)
            {
                return parsed;
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                return 0;
            }

            // Rare forms proto3 JSON also allows for integers: an exponent or a zero fraction, as in 1.5e18 or "2.0".
            if (TryReadIntegralDouble(ref reader, out var value) && value >= 0 && value < 18446744073709551616.0)
            {
                return (ulong)value;
            }

            return JsonThrowHelper.ThrowWrongType<ulong>(Where(field), "an unsigned 64-bit integer (number or decimal string)", reader.TokenType, reader.TokenStartIndex);
        }

        private readonly long Int64Here(ref Utf8JsonReader reader, string field)
        {
            if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped
                && Utf8Parser.TryParse(reader.ValueSpan, out long parsed, out var consumed) && consumed == reader.ValueSpan.Length)
            {
                return parsed;
            }

            if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
            {
                return number;
            }

            if (TryReadIntegralDouble(ref reader, out var value) && value >= -9223372036854775808.0 && value < 9223372036854775808.0)
            {
                return (long)value;
            }

            return JsonThrowHelper.ThrowWrongType<long>(Where(field), "a 64-bit integer (number or decimal string)", reader.TokenType, reader.TokenStartIndex);
        }

        private readonly uint ReadUInt32(ref Utf8JsonReader reader, string field)
        {
            var value = ReadUInt64(ref reader, field);
            if (value > uint.MaxValue)
            {
                JsonThrowHelper.ThrowInvalidValue(Where(field), "is larger than a 32-bit unsigned integer", reader.TokenStartIndex);
            }

            return (uint)value;
        }

        private readonly double DoubleHere(ref Utf8JsonReader reader, string field)
        {
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number))
            {
                return number;
            }

            if (reader.TokenType == JsonTokenType.String)
            {
                if (reader.ValueTextEquals("NaN"u8))
                {
                    return double.NaN;
                }

                if (reader.ValueTextEquals("Infinity"u8))
                {
                    return double.PositiveInfinity;
                }

                if (reader.ValueTextEquals("-Infinity"u8))
                {
                    return double.NegativeInfinity;
                }

                if (TryParseDouble(ref reader, out var parsed))
                {
                    return parsed;
                }
            }

            return JsonThrowHelper.ThrowWrongType<double>(Where(field), "a number, \"NaN\", \"Infinity\" or \"-Infinity\"", reader.TokenType, reader.TokenStartIndex);
        }

        private static bool TryReadIntegralDouble(ref Utf8JsonReader reader, out double value)
        {
            value = 0;
            var read = reader.TokenType switch
            {
                JsonTokenType.Number => reader.TryGetDouble(out value),
                JsonTokenType.String => TryParseDouble(ref reader, out value),
                _ => false,
            };
            return read && double.IsFinite(value) && Math.Floor(value) == value;
        }

        private static bool TryParseDouble(ref Utf8JsonReader reader, out double value)
        {
            value = 0;
            return !reader.ValueIsEscaped
                && Utf8Parser.TryParse(reader.ValueSpan, out value, out var consumed)
                && consumed == reader.ValueSpan.Length;
        }

        /// <summary>A span kind as its number or, as proto3 JSON allows, its name. Numbers the model does not know read as unspecified, as in protobuf.</summary>
        private readonly SpanKind ReadSpanKind(ref Utf8JsonReader reader)
        {
            Advance(ref reader);
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    return SpanKind.Unspecified;
                case JsonTokenType.Number when reader.TryGetInt32(out var number):
                    return number is >= 0 and <= (int)SpanKind.Consumer ? (SpanKind)number : SpanKind.Unspecified;
                case JsonTokenType.String:
                    if (reader.ValueTextEquals("SPAN_KIND_SERVER"u8))
                    {
                        return SpanKind.Server;
                    }

                    if (reader.ValueTextEquals("SPAN_KIND_CLIENT"u8))
                    {
                        return SpanKind.Client;
                    }

                    if (reader.ValueTextEquals("SPAN_KIND_INTERNAL"u8))
                    {
                        return SpanKind.Internal;
                    }

                    if (reader.ValueTextEquals("SPAN_KIND_PRODUCER"u8))
                    {
                        return SpanKind.Producer;
                    }

                    if (reader.ValueTextEquals("SPAN_KIND_CONSUMER"u8))
                    {
                        return SpanKind.Consumer;
                    }

                    if (reader.ValueTextEquals("SPAN_KIND_UNSPECIFIED"u8))
                    {
                        return SpanKind.Unspecified;
                    }

                    break;
            }

            return JsonThrowHelper.ThrowWrongType<SpanKind>(Where("kind"), "a SpanKind number or name", reader.TokenType, reader.TokenStartIndex);
        }

        private readonly StatusCode ReadStatusCode(ref Utf8JsonReader reader)
        {
            Advance(ref reader);
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    return StatusCode.Unset;
                case JsonTokenType.Number when reader.TryGetInt32(out var number):
                    return number is >= 0 and <= (int)StatusCode.Error ? (StatusCode)number : StatusCode.Unset;
                case JsonTokenType.String:
                    if (reader.ValueTextEquals("STATUS_CODE_ERROR"u8))
                    {
                        return StatusCode.Error;
                    }

                    if (reader.ValueTextEquals("STATUS_CODE_OK"u8))
                    {
                        return StatusCode.Ok;
                    }

                    if (reader.ValueTextEquals("STATUS_CODE_UNSET"u8))
                    {
                        return StatusCode.Unset;
                    }

                    break;
            }

            return JsonThrowHelper.ThrowWrongType<StatusCode>(Where("status.code"), "a StatusCode number or name", reader.TokenType, reader.TokenStartIndex);
        }

        private readonly void ExpectStartObject(ref Utf8JsonReader reader, string field) =>
            ExpectToken(ref reader, JsonTokenType.StartObject, field, "an object");

        private readonly void ExpectToken(ref Utf8JsonReader reader, JsonTokenType expected, string field, string description)
        {
            if (reader.TokenType != expected)
            {
                JsonThrowHelper.ThrowWrongType(Where(field), description, reader.TokenType, reader.TokenStartIndex);
            }
        }

        /// <summary>Moves to a property's value: true if it is an array, false if it is null.</summary>
        private readonly bool StartArrayOrNull(ref Utf8JsonReader reader, string field)
        {
            Advance(ref reader);
            if (reader.TokenType == JsonTokenType.Null)
            {
                return false;
            }

            ExpectToken(ref reader, JsonTokenType.StartArray, field, "an array");
            return true;
        }

        /// <summary>The field's place in the request, for error messages only.</summary>
        private readonly string Where(string field)
        {
            if (_resourceOrdinal == NoOrdinal)
            {
                return field;
            }

            if (_scopeOrdinal == NoOrdinal)
            {
                return $"resourceSpans[{_resourceOrdinal}].{field}";
            }

            return _spanOrdinal == NoOrdinal
                ? $"resourceSpans[{_resourceOrdinal}].scopeSpans[{_scopeOrdinal}].{field}"
                : $"resourceSpans[{_resourceOrdinal}].scopeSpans[{_scopeOrdinal}].spans[{_spanOrdinal}].{field}";
        }

        private static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) => reader.ValueTextEquals(name);

        private static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> name, ReadOnlySpan<byte> snake) =>
            reader.ValueTextEquals(name) || reader.ValueTextEquals(snake);

        /// <summary>
        /// Reads the next token. The reader is given the whole request, so it throws on a document that
        /// ends early rather than returning false; the check is kept so no loop can spin at the end.
        /// </summary>
        private static void Advance(ref Utf8JsonReader reader)
        {
            if (!reader.Read())
            {
                JsonThrowHelper.ThrowTruncated(reader.BytesConsumed);
            }
        }

        /// <summary>Advances to the next property name of the current object; false at its end.</summary>
        private static bool NextProperty(ref Utf8JsonReader reader)
        {
            Advance(ref reader);
            return reader.TokenType == JsonTokenType.PropertyName;
        }

        /// <summary>Advances to the next element of the current array; false at its end.</summary>
        private static bool NextElement(ref Utf8JsonReader reader)
        {
            Advance(ref reader);
            return reader.TokenType != JsonTokenType.EndArray;
        }

        private static void SkipValue(ref Utf8JsonReader reader)
        {
            Advance(ref reader);
            reader.Skip();
        }

        /// <summary>Skips an unknown member's value; a null "values" has already been consumed.</summary>
        private static void SkipValueIfProperty(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                SkipValue(ref reader);
            }
        }
    }
}
