using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Ariadne.Model;
using N = Ariadne.Protocols.Otlp.Json.OtlpJsonNames;

namespace Ariadne.Protocols.Otlp.Json;

/// <summary>
/// Decodes an OTLP/JSON <c>ExportTraceServiceRequest</c> into a <see cref="SpanBatch"/> with
/// <see cref="Utf8JsonReader"/>: no DOM, strings unescaped straight into the batch heap. Keys may come
/// in any order; each owner's attributes are gathered and appended as one run, so ranges stay
/// contiguous. Bad ids mark the span defective; malformed JSON or a wrong type fails the request.
/// </summary>
internal static class OtlpJsonDecoder
{
    public const int MaxDepth = 64;

    public static bool TryDecode(ReadOnlySpan<byte> utf8Json, SpanBatch batch, out string? error)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        var decoder = new Decoder(batch);
        try
        {
            if (!reader.Read())
            {
                error = "empty body is not a JSON object";
                return false;
            }

            decoder.ReadRequest(ref reader);
            if (reader.Read())
            {
                throw new JsonFormatException("unexpected content after the request object", reader.TokenStartIndex);
            }

            error = null;
            return true;
        }
        catch (JsonException e)
        {
            error = $"invalid JSON at byte {reader.BytesConsumed}: {e.Message}";
            return false;
        }
        catch (JsonFormatException e)
        {
            error = e.Message;
            return false;
        }
        catch (InvalidOperationException e)
        {
            error = $"invalid JSON at byte {reader.TokenStartIndex}: {e.Message}";
            return false;
        }
    }

    private static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> name) => reader.ValueTextEquals(name);

    private static bool Is(ref Utf8JsonReader reader, ReadOnlySpan<byte> name, ReadOnlySpan<byte> snake) =>
        reader.ValueTextEquals(name) || reader.ValueTextEquals(snake);

    private sealed class Decoder
    {
        private readonly SpanBatch _batch;
        private readonly Stack<List<KeyValue>> _keyValueLists = new();
        private readonly Stack<List<AnyValue>> _valueLists = new();
        private readonly List<EventRow> _events = new();
        private readonly List<LinkRow> _links = new();

        public Decoder(SpanBatch batch) => _batch = batch;

        public void ReadRequest(ref Utf8JsonReader reader)
        {
            ExpectStartObject(ref reader, "request");
            while (NextProperty(ref reader))
            {
                if (Is(ref reader, N.ResourceSpans, N.ResourceSpansSnake))
                {
                    if (ReadStartArrayOrNull(ref reader, "resourceSpans"))
                    {
                        while (NextElement(ref reader))
                        {
                            ReadResourceSpans(ref reader);
                        }
                    }
                }
                else
                {
                    SkipValue(ref reader);
                }
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
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        continue;
                    }

                    ExpectStartObject(ref reader, "resource");
                    var attributes = default(RowRange);
                    uint dropped = 0;
                    while (NextProperty(ref reader))
                    {
                        if (Is(ref reader, N.Attributes))
                        {
                            attributes = ReadAttributes(ref reader);
                        }
                        else if (Is(ref reader, N.DroppedAttributesCount, N.DroppedAttributesCountSnake))
                        {
                            dropped = ReadUInt32(ref reader, "droppedAttributesCount");
                        }
                        else
                        {
                            SkipValue(ref reader);
                        }
                    }

                    ref var resource = ref _batch.Resources[resourceIndex];
                    resource.Attributes = attributes;
                    resource.DroppedAttributesCount = dropped;
                }
                else if (Is(ref reader, N.ScopeSpans, N.ScopeSpansSnake))
                {
                    if (ReadStartArrayOrNull(ref reader, "scopeSpans"))
                    {
                        while (NextElement(ref reader))
                        {
                            ReadScopeSpans(ref reader, resourceIndex);
                        }
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
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        continue;
                    }

                    ExpectStartObject(ref reader, "scope");
                    var scope = _batch.Scopes[scopeIndex];
                    while (NextProperty(ref reader))
                    {
                        if (Is(ref reader, N.Name))
                        {
                            scope.Name = ReadString(ref reader, "scope.name");
                        }
                        else if (Is(ref reader, N.Version))
                        {
                            scope.Version = ReadString(ref reader, "scope.version");
                        }
                        else if (Is(ref reader, N.Attributes))
                        {
                            scope.Attributes = ReadAttributes(ref reader);
                        }
                        else if (Is(ref reader, N.DroppedAttributesCount, N.DroppedAttributesCountSnake))
                        {
                            scope.DroppedAttributesCount = ReadUInt32(ref reader, "droppedAttributesCount");
                        }
                        else
                        {
                            SkipValue(ref reader);
                        }
                    }

                    _batch.Scopes[scopeIndex] = scope;
                }
                else if (Is(ref reader, N.Spans))
                {
                    if (ReadStartArrayOrNull(ref reader, "spans"))
                    {
                        while (NextElement(ref reader))
                        {
                            ReadSpan(ref reader, scopeIndex);
                        }
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

        private void ReadSpan(ref Utf8JsonReader reader, int scopeIndex)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return;
            }

            ExpectStartObject(ref reader, "span");
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
                    if (!ReadSpanId(ref reader, "spanId", allowEmpty: false, out span.SpanId))
                    {
                        SpanValidator.MarkDefect(ref span, SpanDefect.InvalidSpanId);
                    }
                }
                else if (Is(ref reader, N.ParentSpanId, N.ParentSpanIdSnake))
                {
                    if (!ReadSpanId(ref reader, "parentSpanId", allowEmpty: true, out span.ParentSpanId))
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
                    var kind = ReadEnum(ref reader, "kind", SpanKindName);
                    span.Kind = kind is >= 0 and <= (int)SpanKind.Consumer ? (SpanKind)kind : SpanKind.Unspecified;
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
                    span.Attributes = ReadAttributes(ref reader);
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
            reader.Read();
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
                    var code = ReadEnum(ref reader, "status.code", StatusCodeName);
                    span.StatusCode = code is >= 0 and <= (int)StatusCode.Error ? (StatusCode)code : StatusCode.Unset;
                }
                else
                {
                    SkipValue(ref reader);
                }
            }
        }

        private RowRange ReadEvents(ref Utf8JsonReader reader)
        {
            if (!ReadStartArrayOrNull(ref reader, "events"))
            {
                return default;
            }

            var first = _events.Count;
            while (NextElement(ref reader))
            {
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                ExpectStartObject(ref reader, "event");
                var row = default(EventRow);
                while (NextProperty(ref reader))
                {
                    if (Is(ref reader, N.TimeUnixNano, N.TimeUnixNanoSnake))
                    {
                        row.TimeUnixNano = ReadUInt64(ref reader, "event.timeUnixNano");
                    }
                    else if (Is(ref reader, N.Name))
                    {
                        row.Name = ReadString(ref reader, "event.name");
                    }
                    else if (Is(ref reader, N.Attributes))
                    {
                        row.Attributes = ReadAttributes(ref reader);
                    }
                    else if (Is(ref reader, N.DroppedAttributesCount, N.DroppedAttributesCountSnake))
                    {
                        row.DroppedAttributesCount = ReadUInt32(ref reader, "event.droppedAttributesCount");
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }

                _events.Add(row);
            }

            var start = _batch.Events.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_events)[first..]);
            var count = _events.Count - first;
            _events.RemoveRange(first, count);
            return new RowRange(start, count);
        }

        private RowRange ReadLinks(ref Utf8JsonReader reader, out bool valid)
        {
            valid = true;
            if (!ReadStartArrayOrNull(ref reader, "links"))
            {
                return default;
            }

            var first = _links.Count;
            while (NextElement(ref reader))
            {
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                ExpectStartObject(ref reader, "link");
                var row = default(LinkRow);
                var idsSeen = 0;
                while (NextProperty(ref reader))
                {
                    if (Is(ref reader, N.TraceId, N.TraceIdSnake))
                    {
                        idsSeen++;
                        valid &= ReadTraceId(ref reader, "link.traceId", out row.TraceId);
                    }
                    else if (Is(ref reader, N.SpanId, N.SpanIdSnake))
                    {
                        idsSeen++;
                        valid &= ReadSpanId(ref reader, "link.spanId", allowEmpty: false, out row.SpanId);
                    }
                    else if (Is(ref reader, N.TraceState, N.TraceStateSnake))
                    {
                        row.TraceState = ReadString(ref reader, "link.traceState");
                    }
                    else if (Is(ref reader, N.Attributes))
                    {
                        row.Attributes = ReadAttributes(ref reader);
                    }
                    else if (Is(ref reader, N.DroppedAttributesCount, N.DroppedAttributesCountSnake))
                    {
                        row.DroppedAttributesCount = ReadUInt32(ref reader, "link.droppedAttributesCount");
                    }
                    else if (Is(ref reader, N.Flags))
                    {
                        row.Flags = ReadUInt32(ref reader, "link.flags");
                    }
                    else
                    {
                        SkipValue(ref reader);
                    }
                }

                valid &= idsSeen == 2;
                _links.Add(row);
            }

            var start = _batch.Links.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_links)[first..]);
            var count = _links.Count - first;
            _links.RemoveRange(first, count);
            return new RowRange(start, count);
        }

        /// <summary>Reads an attribute array and appends it to the attribute table as one contiguous run.</summary>
        private RowRange ReadAttributes(ref Utf8JsonReader reader)
        {
            var list = ReadKeyValues(ref reader, "attributes");
            try
            {
                return list is null ? default : new RowRange(_batch.Attributes.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list)), list.Count);
            }
            finally
            {
                ReturnList(list);
            }
        }

        private List<KeyValue>? ReadKeyValues(ref Utf8JsonReader reader, string what)
        {
            if (!ReadStartArrayOrNull(ref reader, what))
            {
                return null;
            }

            var list = _keyValueLists.Count > 0 ? _keyValueLists.Pop() : new List<KeyValue>();
            try
            {
                while (NextElement(ref reader))
                {
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        continue;
                    }

                    ExpectStartObject(ref reader, what + "[]");
                    Utf8Ref key = default;
                    var value = AnyValue.Empty;
                    while (NextProperty(ref reader))
                    {
                        if (Is(ref reader, N.Key))
                        {
                            key = ReadString(ref reader, "key");
                        }
                        else if (Is(ref reader, N.Value))
                        {
                            value = ReadAnyValue(ref reader);
                        }
                        else
                        {
                            SkipValue(ref reader);
                        }
                    }

                    list.Add(new KeyValue(key, value));
                }
            }
            catch
            {
                ReturnList(list);
                throw;
            }

            return list;
        }

        private void ReturnList(List<KeyValue>? list)
        {
            if (list is not null)
            {
                list.Clear();
                _keyValueLists.Push(list);
            }
        }

        private AnyValue ReadAnyValue(ref Utf8JsonReader reader)
        {
            reader.Read();
            return ReadAnyValueHere(ref reader);
        }

        private AnyValue ReadArrayValue(ref Utf8JsonReader reader)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                return AnyValue.Empty;
            }

            ExpectStartObject(ref reader, "arrayValue");
            var result = AnyValue.FromArray(default);
            while (NextProperty(ref reader))
            {
                if (!Is(ref reader, N.Values))
                {
                    SkipValue(ref reader);
                    continue;
                }

                if (!ReadStartArrayOrNull(ref reader, "arrayValue.values"))
                {
                    continue;
                }

                var list = _valueLists.Count > 0 ? _valueLists.Pop() : new List<AnyValue>();
                try
                {
                    while (NextElement(ref reader))
                    {
                        list.Add(ReadAnyValueHere(ref reader));
                    }

                    result = AnyValue.FromArray(new RowRange(_batch.ArrayValues.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list)), list.Count));
                }
                finally
                {
                    list.Clear();
                    _valueLists.Push(list);
                }
            }

            return result;
        }

        /// <summary>Reads the AnyValue object (or null) at the current token.</summary>
        private AnyValue ReadAnyValueHere(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return AnyValue.Empty;
            }

            ExpectStartObject(ref reader, "value");
            var value = AnyValue.Empty;
            while (NextProperty(ref reader))
            {
                if (Is(ref reader, N.StringValue, N.StringValueSnake))
                {
                    value = AnyValue.FromString(ReadString(ref reader, "stringValue"));
                }
                else if (Is(ref reader, N.BoolValue, N.BoolValueSnake))
                {
                    reader.Read();
                    value = reader.TokenType switch
                    {
                        JsonTokenType.True => AnyValue.FromBool(true),
                        JsonTokenType.False => AnyValue.FromBool(false),
                        JsonTokenType.Null => value,
                        _ => throw TypeError(ref reader, "boolValue", "true or false"),
                    };
                }
                else if (Is(ref reader, N.IntValue, N.IntValueSnake))
                {
                    value = AnyValue.FromInt(ReadInt64(ref reader, "intValue"));
                }
                else if (Is(ref reader, N.DoubleValue, N.DoubleValueSnake))
                {
                    value = AnyValue.FromDouble(ReadDouble(ref reader, "doubleValue"));
                }
                else if (Is(ref reader, N.BytesValue, N.BytesValueSnake))
                {
                    value = AnyValue.FromBytes(ReadBase64(ref reader, "bytesValue"));
                }
                else if (Is(ref reader, N.ArrayValue, N.ArrayValueSnake))
                {
                    value = ReadArrayValue(ref reader);
                }
                else if (Is(ref reader, N.KvlistValue, N.KvlistValueSnake))
                {
                    value = ReadKeyValueListValue(ref reader);
                }
                else
                {
                    SkipValue(ref reader);
                }
            }

            return value;
        }

        private AnyValue ReadKeyValueListValue(ref Utf8JsonReader reader)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                return AnyValue.Empty;
            }

            ExpectStartObject(ref reader, "kvlistValue");
            var result = AnyValue.FromKeyValueList(default);
            while (NextProperty(ref reader))
            {
                if (!Is(ref reader, N.Values))
                {
                    SkipValue(ref reader);
                    continue;
                }

                var list = ReadKeyValues(ref reader, "kvlistValue.values");
                if (list is not null)
                {
                    result = AnyValue.FromKeyValueList(new RowRange(_batch.NestedAttributes.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list)), list.Count));
                    ReturnList(list);
                }
            }

            return result;
        }

        private Utf8Ref ReadString(ref Utf8JsonReader reader, string what)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                return default;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                throw TypeError(ref reader, what, "a string");
            }

            if (!reader.ValueIsEscaped)
            {
                return _batch.AddString(reader.ValueSpan);
            }

            // Unescaping never lengthens a string, so the escaped length is enough room.
            var room = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
            var start = _batch.Heap.Reserve(room);
            var written = reader.CopyString(_batch.Heap.Rows.Slice(start, room));
            _batch.Heap.Truncate(start + written);
            return written == 0 ? default : new Utf8Ref(start, written);
        }

        private Utf8Ref ReadBase64(ref Utf8JsonReader reader, string what)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                return default;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                throw TypeError(ref reader, what, "a base64 string");
            }

            var text = reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan.ToArray();
            var start = _batch.Heap.Reserve(Base64.GetMaxDecodedFromUtf8Length(text.Length));
            var destination = _batch.Heap.Rows[start..];
            var status = Base64.DecodeFromUtf8(text, destination, out _, out var written);
            if (status != OperationStatus.Done)
            {
                // proto3 JSON parsers accept the URL-safe alphabet, with or without padding, too.
                status = Base64Url.DecodeFromUtf8(text, destination, out _, out written);
            }

            if (status != OperationStatus.Done)
            {
                _batch.Heap.Truncate(start);
                throw new JsonFormatException($"{what} is not valid base64", reader.TokenStartIndex);
            }

            _batch.Heap.Truncate(start + written);
            return written == 0 ? default : new Utf8Ref(start, written);
        }

        private static bool ReadTraceId(ref Utf8JsonReader reader, string what, out TraceId id)
        {
            id = default;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                return false;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                throw TypeError(ref reader, what, "a hex string");
            }

            if (reader.ValueIsEscaped)
            {
                return TraceId.TryParse(reader.GetString(), out id);
            }

            return TraceId.TryParse(reader.ValueSpan, out id);
        }

        private static bool ReadSpanId(ref Utf8JsonReader reader, string what, bool allowEmpty, out SpanId id)
        {
            id = default;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                return allowEmpty;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                throw TypeError(ref reader, what, "a hex string");
            }

            var text = reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
            if (text.Length == 0)
            {
                return allowEmpty;
            }

            return SpanId.TryParse(text, out id);
        }

        private static ulong ReadUInt64(ref Utf8JsonReader reader, string what)
        {
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    return 0;
                case JsonTokenType.Number when reader.TryGetUInt64(out var number):
                    return number;
                case JsonTokenType.String when !reader.ValueIsEscaped && Utf8Parser.TryParse(reader.ValueSpan, out ulong parsed, out var consumed) && consumed == reader.ValueSpan.Length:
                    return parsed;
                default:
                    throw TypeError(ref reader, what, "an unsigned 64-bit integer (number or decimal string)");
            }
        }

        private static long ReadInt64(ref Utf8JsonReader reader, string what)
        {
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    return 0;
                case JsonTokenType.Number when reader.TryGetInt64(out var number):
                    return number;
                case JsonTokenType.String when !reader.ValueIsEscaped && Utf8Parser.TryParse(reader.ValueSpan, out long parsed, out var consumed) && consumed == reader.ValueSpan.Length:
                    return parsed;
                default:
                    throw TypeError(ref reader, what, "a 64-bit integer (number or decimal string)");
            }
        }

        private static uint ReadUInt32(ref Utf8JsonReader reader, string what)
        {
            var value = ReadUInt64(ref reader, what);
            if (value > uint.MaxValue)
            {
                throw new JsonFormatException($"{what} is larger than a 32-bit unsigned integer", reader.TokenStartIndex);
            }

            return (uint)value;
        }

        private static double ReadDouble(ref Utf8JsonReader reader, string what)
        {
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    return 0;
                case JsonTokenType.Number when reader.TryGetDouble(out var number):
                    return number;
                case JsonTokenType.String:
                {
                    var text = reader.GetString();
                    switch (text)
                    {
                        case "NaN":
                            return double.NaN;
                        case "Infinity":
                            return double.PositiveInfinity;
                        case "-Infinity":
                            return double.NegativeInfinity;
                    }

                    if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
                    {
                        return parsed;
                    }

                    break;
                }
            }

            throw TypeError(ref reader, what, "a number, \"NaN\", \"Infinity\" or \"-Infinity\"");
        }

        /// <summary>An enum as its number or, as proto3 JSON allows, its name.</summary>
        private static int ReadEnum(ref Utf8JsonReader reader, string what, Func<string, int> byName)
        {
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    return 0;
                case JsonTokenType.Number when reader.TryGetInt32(out var number):
                    return number;
                case JsonTokenType.String:
                {
                    var value = byName(reader.GetString()!);
                    if (value >= 0)
                    {
                        return value;
                    }

                    break;
                }
            }

            throw TypeError(ref reader, what, "an enum number or name");
        }

        private static int SpanKindName(string name) => name switch
        {
            "SPAN_KIND_UNSPECIFIED" => 0,
            "SPAN_KIND_INTERNAL" => 1,
            "SPAN_KIND_SERVER" => 2,
            "SPAN_KIND_CLIENT" => 3,
            "SPAN_KIND_PRODUCER" => 4,
            "SPAN_KIND_CONSUMER" => 5,
            _ => -1,
        };

        private static int StatusCodeName(string name) => name switch
        {
            "STATUS_CODE_UNSET" => 0,
            "STATUS_CODE_OK" => 1,
            "STATUS_CODE_ERROR" => 2,
            _ => -1,
        };

        private static void ExpectStartObject(ref Utf8JsonReader reader, string what)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw TypeError(ref reader, what, "an object");
            }
        }

        /// <summary>Moves to a property's value start: true if it was an array, false if null.</summary>
        private static bool ReadStartArrayOrNull(ref Utf8JsonReader reader, string what)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                return false;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw TypeError(ref reader, what, "an array");
            }

            return true;
        }

        /// <summary>Advances to the next property name of the current object; false at its end.</summary>
        private static bool NextProperty(ref Utf8JsonReader reader)
        {
            reader.Read();
            return reader.TokenType == JsonTokenType.PropertyName;
        }

        /// <summary>Advances to the next element of the current array; false at its end.</summary>
        private static bool NextElement(ref Utf8JsonReader reader)
        {
            reader.Read();
            return reader.TokenType != JsonTokenType.EndArray;
        }

        private static void SkipValue(ref Utf8JsonReader reader)
        {
            reader.Read();
            reader.Skip();
        }

        private static JsonFormatException TypeError(ref Utf8JsonReader reader, string what, string expected) =>
            new($"'{what}' must be {expected}, found {reader.TokenType}", reader.TokenStartIndex);
    }
}
