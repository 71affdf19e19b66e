using Ariadne.Model;

namespace Ariadne.Protocols.Otlp.Protobuf;

/// <summary>
/// Decodes an OTLP <c>ExportTraceServiceRequest</c> (the same wire shape as <c>TracesData</c>) straight
/// into a <see cref="SpanBatch"/>: no message objects, strings copied once into the batch heap.
/// A malformed message fails as a whole with an error naming the byte offset; a malformed span (bad
/// ids, end before start) is marked with a <see cref="SpanDefect"/> and the rest of the batch is kept.
/// </summary>
internal static class OtlpProtobufDecoder
{
    /// <summary>AnyValue nesting deeper than this is refused rather than followed.</summary>
    public const int MaxValueDepth = 32;

    [ThreadStatic]
    private static StringInterner? t_interner;

    [ThreadStatic]
    private static List<(int Offset, int Length)>? t_deferredEvents;

    [ThreadStatic]
    private static List<(int Offset, int Length)>? t_deferredLinks;

    public static bool TryDecode(ReadOnlySpan<byte> exportTraceServiceRequest, SpanBatch batch, out string? error)
    {
        var interner = t_interner ??= new StringInterner();
        interner.Reset(batch);
        var decoder = new Decoder(exportTraceServiceRequest, batch, interner,
            t_deferredEvents ??= new List<(int, int)>(8), t_deferredLinks ??= new List<(int, int)>(4));
        error = decoder.DecodeRequest();
        return error is null;
    }

    private ref struct Decoder
    {
        private readonly ReadOnlySpan<byte> _request;
        private readonly SpanBatch _batch;
        private readonly StringInterner _strings;
        private readonly List<(int Offset, int Length)> _deferredEvents;
        private readonly List<(int Offset, int Length)> _deferredLinks;
        private string? _error;

        public Decoder(ReadOnlySpan<byte> request, SpanBatch batch, StringInterner strings, List<(int, int)> deferredEvents, List<(int, int)> deferredLinks)
        {
            _request = request;
            _batch = batch;
            _strings = strings;
            _deferredEvents = deferredEvents;
            _deferredLinks = deferredLinks;
            _error = null;
        }

        public string? DecodeRequest()
        {
            var reader = new ProtoReader(_request);
            while (_error is null && reader.TryReadTag(out var field, out var wire))
            {
                if (field == TracesDataFields.ResourceSpans)
                {
                    if (reader.Expect(wire, WireType.LengthDelimited, "resource_spans"))
                    {
                        var payload = reader.ReadLengthDelimited(out var offset);
                        if (!reader.Failed)
                        {
                            DecodeResourceSpans(payload, offset);
                        }
                    }
                }
                else
                {
                    reader.SkipField(wire);
                }
            }

            return _error ?? reader.Error;
        }

        private bool Check(ref ProtoReader reader)
        {
            if (reader.Error is not null)
            {
                _error ??= reader.Error;
            }

            return _error is null;
        }

        private void DecodeResourceSpans(ReadOnlySpan<byte> data, int baseOffset)
        {
            // The row exists before its fields are read: scope_spans may precede resource on the wire.
            var resourceIndex = _batch.Resources.Add(default);
            var reader = new ProtoReader(data, baseOffset);
            while (Check(ref reader) && reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case ResourceSpansFields.Resource when reader.Expect(wire, WireType.LengthDelimited, "resource"):
                    {
                        if (reader.TryReadMessage(out var payload, out var offset))
                        {
                            DecodeResource(payload, offset, resourceIndex);
                        }

                        break;
                    }

                    case ResourceSpansFields.ScopeSpans when reader.Expect(wire, WireType.LengthDelimited, "scope_spans"):
                    {
                        if (reader.TryReadMessage(out var payload, out var offset))
                        {
                            DecodeScopeSpans(payload, offset, resourceIndex);
                        }

                        break;
                    }

                    case ResourceSpansFields.SchemaUrl when reader.Expect(wire, WireType.LengthDelimited, "schema_url"):
                        _batch.Resources[resourceIndex].SchemaUrl = AddString(reader.ReadLengthDelimited());
                        break;
                    case ResourceSpansFields.Resource or ResourceSpansFields.ScopeSpans or ResourceSpansFields.SchemaUrl:
                        break;
                    default:
                        reader.SkipField(wire);
                        break;
                }
            }
        }

        private void DecodeResource(ReadOnlySpan<byte> data, int baseOffset, int resourceIndex)
        {
            var reader = new ProtoReader(data, baseOffset);
            var attributeStart = _batch.Attributes.Count;
            uint dropped = 0;
            while (Check(ref reader) && reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case ResourceFields.Attributes when reader.Expect(wire, WireType.LengthDelimited, "resource.attributes"):
                        DecodeAttribute(ref reader);
                        break;
                    case ResourceFields.DroppedAttributesCount when reader.Expect(wire, WireType.Varint, "resource.dropped_attributes_count"):
                        dropped = (uint)reader.ReadVarint();
                        break;
                    case ResourceFields.Attributes or ResourceFields.DroppedAttributesCount:
                        break;
                    default:
                        reader.SkipField(wire);
                        break;
                }
            }

            ref var resource = ref _batch.Resources[resourceIndex];
            resource.Attributes = new RowRange(attributeStart, _batch.Attributes.Count - attributeStart);
            resource.DroppedAttributesCount = dropped;
        }

        private void DecodeScopeSpans(ReadOnlySpan<byte> data, int baseOffset, int resourceIndex)
        {
            var scopeIndex = _batch.Scopes.Add(new ScopeRow { ResourceIndex = resourceIndex });
            var reader = new ProtoReader(data, baseOffset);
            while (Check(ref reader) && reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case ScopeSpansFields.Scope when reader.Expect(wire, WireType.LengthDelimited, "scope"):
                    {
                        if (reader.TryReadMessage(out var payload, out var offset))
                        {
                            DecodeScope(payload, offset, scopeIndex);
                        }

                        break;
                    }

                    case ScopeSpansFields.Spans when reader.Expect(wire, WireType.LengthDelimited, "spans"):
                    {
                        if (reader.TryReadMessage(out var payload, out var offset))
                        {
                            DecodeSpan(payload, offset, scopeIndex);
                        }

                        break;
                    }

                    case ScopeSpansFields.SchemaUrl when reader.Expect(wire, WireType.LengthDelimited, "scope_spans.schema_url"):
                        _batch.Scopes[scopeIndex].SchemaUrl = AddString(reader.ReadLengthDelimited());
                        break;
                    case ScopeSpansFields.Scope or ScopeSpansFields.Spans or ScopeSpansFields.SchemaUrl:
                        break;
                    default:
                        reader.SkipField(wire);
                        break;
                }
            }
        }

        private void DecodeScope(ReadOnlySpan<byte> data, int baseOffset, int scopeIndex)
        {
            var reader = new ProtoReader(data, baseOffset);
            var attributeStart = _batch.Attributes.Count;
            Utf8Ref name = default, version = default;
            uint dropped = 0;
            while (Check(ref reader) && reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case InstrumentationScopeFields.Name when reader.Expect(wire, WireType.LengthDelimited, "scope.name"):
                        name = AddString(reader.ReadLengthDelimited());
                        break;
                    case InstrumentationScopeFields.Version when reader.Expect(wire, WireType.LengthDelimited, "scope.version"):
                        version = AddString(reader.ReadLengthDelimited());
                        break;
                    case InstrumentationScopeFields.Attributes when reader.Expect(wire, WireType.LengthDelimited, "scope.attributes"):
                        DecodeAttribute(ref reader);
                        break;
                    case InstrumentationScopeFields.DroppedAttributesCount when reader.Expect(wire, WireType.Varint, "scope.dropped_attributes_count"):
                        dropped = (uint)reader.ReadVarint();
                        break;
                    case InstrumentationScopeFields.Name or InstrumentationScopeFields.Version
                        or InstrumentationScopeFields.Attributes or InstrumentationScopeFields.DroppedAttributesCount:
                        break;
                    default:
                        reader.SkipField(wire);
                        break;
                }
            }

            ref var scope = ref _batch.Scopes[scopeIndex];
            scope.Name = name;
            scope.Version = version;
            scope.Attributes = new RowRange(attributeStart, _batch.Attributes.Count - attributeStart);
            scope.DroppedAttributesCount = dropped;
        }

        private void DecodeSpan(ReadOnlySpan<byte> data, int baseOffset, int scopeIndex)
        {
            var span = new SpanRow { ScopeIndex = scopeIndex };
            var reader = new ProtoReader(data, baseOffset);
            var attributeStart = _batch.Attributes.Count;
            var traceIdSeen = false;
            var spanIdSeen = false;
            _deferredEvents.Clear();
            _deferredLinks.Clear();
            while (Check(ref reader) && reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case SpanFields.TraceId when reader.Expect(wire, WireType.LengthDelimited, "span.trace_id"):
                    {
                        var bytes = reader.ReadLengthDelimited();
                        traceIdSeen = true;
                        if (bytes.Length == TraceId.Size)
                        {
                            span.TraceId = TraceId.FromBytes(bytes);
                        }
                        else
                        {
                            span.TraceId = default;
                            SpanValidator.MarkDefect(ref span, SpanDefect.InvalidTraceId);
                        }

                        break;
                    }

                    case SpanFields.SpanId when reader.Expect(wire, WireType.LengthDelimited, "span.span_id"):
                    {
                        var bytes = reader.ReadLengthDelimited();
                        spanIdSeen = true;
                        if (bytes.Length == SpanId.Size)
                        {
                            span.SpanId = SpanId.FromBytes(bytes);
                        }
                        else
                        {
                            span.SpanId = default;
                            SpanValidator.MarkDefect(ref span, SpanDefect.InvalidSpanId);
                        }

                        break;
                    }

                    case SpanFields.TraceState when reader.Expect(wire, WireType.LengthDelimited, "span.trace_state"):
                        span.TraceState = AddString(reader.ReadLengthDelimited());
                        break;
                    case SpanFields.ParentSpanId when reader.Expect(wire, WireType.LengthDelimited, "span.parent_span_id"):
                    {
                        var bytes = reader.ReadLengthDelimited();
                        if (bytes.Length == SpanId.Size)
                        {
                            span.ParentSpanId = SpanId.FromBytes(bytes);
                        }
                        else if (bytes.Length != 0)
                        {
                            SpanValidator.MarkDefect(ref span, SpanDefect.InvalidParentSpanId);
                        }

                        break;
                    }

                    case SpanFields.Name when reader.Expect(wire, WireType.LengthDelimited, "span.name"):
                        span.Name = AddString(reader.ReadLengthDelimited());
                        break;
                    case SpanFields.Kind when reader.Expect(wire, WireType.Varint, "span.kind"):
                    {
                        var kind = reader.ReadVarint();
                        span.Kind = kind <= (ulong)SpanKind.Consumer ? (SpanKind)kind : SpanKind.Unspecified;
                        break;
                    }

                    case SpanFields.StartTimeUnixNano when reader.Expect(wire, WireType.Fixed64, "span.start_time_unix_nano"):
                        span.StartTimeUnixNano = reader.ReadFixed64();
                        break;
                    case SpanFields.EndTimeUnixNano when reader.Expect(wire, WireType.Fixed64, "span.end_time_unix_nano"):
                        span.EndTimeUnixNano = reader.ReadFixed64();
                        break;
                    case SpanFields.Attributes when reader.Expect(wire, WireType.LengthDelimited, "span.attributes"):
                        DecodeAttribute(ref reader);
                        break;
                    case SpanFields.DroppedAttributesCount when reader.Expect(wire, WireType.Varint, "span.dropped_attributes_count"):
                        span.DroppedAttributesCount = (uint)reader.ReadVarint();
                        break;
                    case SpanFields.Events when reader.Expect(wire, WireType.LengthDelimited, "span.events"):
                    {
                        // Events and links are decoded after the span's own attributes so those stay one contiguous run.
                        var payload = reader.ReadLengthDelimited(out var offset);
                        _deferredEvents.Add((offset, payload.Length));
                        break;
                    }

                    case SpanFields.DroppedEventsCount when reader.Expect(wire, WireType.Varint, "span.dropped_events_count"):
                        span.DroppedEventsCount = (uint)reader.ReadVarint();
                        break;
                    case SpanFields.Links when reader.Expect(wire, WireType.LengthDelimited, "span.links"):
                    {
                        var payload = reader.ReadLengthDelimited(out var offset);
                        _deferredLinks.Add((offset, payload.Length));
                        break;
                    }

                    case SpanFields.DroppedLinksCount when reader.Expect(wire, WireType.Varint, "span.dropped_links_count"):
                        span.DroppedLinksCount = (uint)reader.ReadVarint();
                        break;
                    case SpanFields.Status when reader.Expect(wire, WireType.LengthDelimited, "span.status"):
                        DecodeStatus(ref reader, ref span);
                        break;
                    case SpanFields.Flags when reader.Expect(wire, WireType.Fixed32, "span.flags"):
                        span.Flags = reader.ReadFixed32();
                        break;
                    case >= SpanFields.TraceId and <= SpanFields.Flags:
                        break;
                    default:
                        reader.SkipField(wire);
                        break;
                }
            }

            if (!Check(ref reader))
            {
                return;
            }

            span.Attributes = new RowRange(attributeStart, _batch.Attributes.Count - attributeStart);
            if (!traceIdSeen)
            {
                SpanValidator.MarkDefect(ref span, SpanDefect.InvalidTraceId);
            }

            if (!spanIdSeen)
            {
                SpanValidator.MarkDefect(ref span, SpanDefect.InvalidSpanId);
            }

            var eventStart = _batch.Events.Reserve(_deferredEvents.Count);
            for (var i = 0; i < _deferredEvents.Count && _error is null; i++)
            {
                var (offset, length) = _deferredEvents[i];
                var row = DecodeEvent(_request.Slice(offset, length), offset);
                _batch.Events[eventStart + i] = row;
            }

            span.Events = new RowRange(eventStart, _deferredEvents.Count);
            var linkStart = _batch.Links.Reserve(_deferredLinks.Count);
            for (var i = 0; i < _deferredLinks.Count && _error is null; i++)
            {
                var (offset, length) = _deferredLinks[i];
                var link = DecodeLink(_request.Slice(offset, length), offset, out var linkValid);
                _batch.Links[linkStart + i] = link;
                if (!linkValid)
                {
                    SpanValidator.MarkDefect(ref span, SpanDefect.InvalidLink);
                }
            }

            span.Links = new RowRange(linkStart, _deferredLinks.Count);
            SpanValidator.Validate(ref span);
            _batch.Spans.Add(span);
        }

        private void DecodeStatus(ref ProtoReader outer, ref SpanRow span)
        {
            var payload = outer.ReadLengthDelimited(out var offset);
            if (!Check(ref outer))
            {
                return;
            }

            var reader = new ProtoReader(payload, offset);
            while (Check(ref reader) && reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case StatusFields.Message when reader.Expect(wire, WireType.LengthDelimited, "status.message"):
                        span.StatusMessage = AddString(reader.ReadLengthDelimited());
                        break;
                    case StatusFields.Code when reader.Expect(wire, WireType.Varint, "status.code"):
                    {
                        var code = reader.ReadVarint();
                        span.StatusCode = code <= (ulong)StatusCode.Error ? (StatusCode)code : StatusCode.Unset;
                        break;
                    }

                    case StatusFields.Message or StatusFields.Code:
                        break;
                    default:
                        reader.SkipField(wire);
                        break;
                }
            }
        }

        private EventRow DecodeEvent(ReadOnlySpan<byte> data, int baseOffset)
        {
            var row = default(EventRow);
            var reader = new ProtoReader(data, baseOffset);
            var attributeStart = _batch.Attributes.Count;
            while (Check(ref reader) && reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case EventFields.TimeUnixNano when reader.Expect(wire, WireType.Fixed64, "event.time_unix_nano"):
                        row.TimeUnixNano = reader.ReadFixed64();
                        break;
                    case EventFields.Name when reader.Expect(wire, WireType.LengthDelimited, "event.name"):
                        row.Name = AddString(reader.ReadLengthDelimited());
                        break;
                    case EventFields.Attributes when reader.Expect(wire, WireType.LengthDelimited, "event.attributes"):
                        DecodeAttribute(ref reader);
                        break;
                    case EventFields.DroppedAttributesCount when reader.Expect(wire, WireType.Varint, "event.dropped_attributes_count"):
                        row.DroppedAttributesCount = (uint)reader.ReadVarint();
                        break;
                    case >= EventFields.TimeUnixNano and <= EventFields.DroppedAttributesCount:
                        break;
                    default:
                        reader.SkipField(wire);
                        break;
                }
            }

            row.Attributes = new RowRange(attributeStart, _batch.Attributes.Count - attributeStart);
            return row;
        }

        private LinkRow DecodeLink(ReadOnlySpan<byte> data, int baseOffset, out bool valid)
        {
            var row = default(LinkRow);
            var reader = new ProtoReader(data, baseOffset);
            var attributeStart = _batch.Attributes.Count;
            valid = true;
            while (Check(ref reader) && reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case LinkFields.TraceId when reader.Expect(wire, WireType.LengthDelimited, "link.trace_id"):
                    {
                        var bytes = reader.ReadLengthDelimited();
                        if (bytes.Length == TraceId.Size)
                        {
                            row.TraceId = TraceId.FromBytes(bytes);
                        }
                        else
                        {
                            valid = false;
                        }

                        break;
                    }

                    case LinkFields.SpanId when reader.Expect(wire, WireType.LengthDelimited, "link.span_id"):
                    {
                        var bytes = reader.ReadLengthDelimited();
                        if (bytes.Length == SpanId.Size)
                        {
                            row.SpanId = SpanId.FromBytes(bytes);
                        }
                        else
                        {
                            valid = false;
                        }

                        break;
                    }

                    case LinkFields.TraceState when reader.Expect(wire, WireType.LengthDelimited, "link.trace_state"):
                        row.TraceState = AddString(reader.ReadLengthDelimited());
                        break;
                    case LinkFields.Attributes when reader.Expect(wire, WireType.LengthDelimited, "link.attributes"):
                        DecodeAttribute(ref reader);
                        break;
                    case LinkFields.DroppedAttributesCount when reader.Expect(wire, WireType.Varint, "link.dropped_attributes_count"):
                        row.DroppedAttributesCount = (uint)reader.ReadVarint();
                        break;
                    case LinkFields.Flags when reader.Expect(wire, WireType.Fixed32, "link.flags"):
                        row.Flags = reader.ReadFixed32();
                        break;
                    case >= LinkFields.TraceId and <= LinkFields.Flags:
                        break;
                    default:
                        reader.SkipField(wire);
                        break;
                }
            }

            row.Attributes = new RowRange(attributeStart, _batch.Attributes.Count - attributeStart);
            return row;
        }

        /// <summary>Appends one KeyValue (the next length-delimited field of <paramref name="outer"/>) to the attribute table.</summary>
        private void DecodeAttribute(ref ProtoReader outer)
        {
            var payload = outer.ReadLengthDelimited(out var offset);
            if (!Check(ref outer))
            {
                return;
            }

            if (TryDecodeScalarKeyValue(payload, out var simple))
            {
                _batch.Attributes.Add(simple);
                return;
            }

            var kv = DecodeKeyValue(payload, offset, depth: 0);
            if (_error is null)
            {
                _batch.Attributes.Add(kv);
            }
        }

        /// <summary>
        /// The shape nearly every attribute has on the wire: a short key and one scalar value, each with a
        /// one-byte length. Read without the general machinery; anything else returns false and takes the
        /// general path, which also reports errors.
        /// </summary>
        private bool TryDecodeScalarKeyValue(ReadOnlySpan<byte> p, out KeyValue kv)
        {
            kv = default;
            const byte KeyTag = (KeyValueFields.Key << 3) | (byte)WireType.LengthDelimited;
            const byte ValueTag = (KeyValueFields.Value << 3) | (byte)WireType.LengthDelimited;
            if (p.Length < 2 || p[0] != KeyTag || p[1] >= 0x80 || p.Length < 2 + p[1])
            {
                return false;
            }

            var key = p.Slice(2, p[1]);
            var rest = p[(2 + key.Length)..];
            if (rest.Length == 0)
            {
                kv = new KeyValue(AddString(key), AnyValue.Empty);
                return true;
            }

            if (rest.Length < 2 || rest[0] != ValueTag || rest[1] >= 0x80 || rest.Length != 2 + rest[1])
            {
                return false;
            }

            var v = rest[2..];
            AnyValue value;
            if (v.Length == 0)
            {
                value = AnyValue.Empty;
            }
            else
            {
                switch (v[0])
                {
                    case (AnyValueFields.StringValue << 3) | (byte)WireType.LengthDelimited when v.Length >= 2 && v[1] < 0x80 && v.Length == 2 + v[1]:
                        value = AnyValue.FromString(AddString(v[2..]));
                        break;
                    case (AnyValueFields.BoolValue << 3) | (byte)WireType.Varint when v.Length == 2 && v[1] < 0x80:
                        value = AnyValue.FromBool(v[1] != 0);
                        break;
                    case (AnyValueFields.IntValue << 3) | (byte)WireType.Varint when v.Length >= 2:
                    {
                        var reader = new ProtoReader(v[1..]);
                        var n = reader.ReadVarint();
                        if (reader.Failed || !reader.IsAtEnd)
                        {
                            return false;
                        }

                        value = AnyValue.FromInt((long)n);
                        break;
                    }

                    case (AnyValueFields.DoubleValue << 3) | (byte)WireType.Fixed64 when v.Length == 9:
                        value = AnyValue.FromDouble(BitConverter.UInt64BitsToDouble(System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(v[1..])));
                        break;
                    default:
                        return false;
                }
            }

            kv = new KeyValue(AddString(key), value);
            return true;
        }

        private KeyValue DecodeKeyValue(ReadOnlySpan<byte> data, int baseOffset, int depth)
        {
            var reader = new ProtoReader(data, baseOffset);
            Utf8Ref key = default;
            var value = AnyValue.Empty;
            while (Check(ref reader) && reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case KeyValueFields.Key when reader.Expect(wire, WireType.LengthDelimited, "key"):
                        key = AddString(reader.ReadLengthDelimited());
                        break;
                    case KeyValueFields.Value when reader.Expect(wire, WireType.LengthDelimited, "value"):
                    {
                        if (reader.TryReadMessage(out var payload, out var offset))
                        {
                            value = DecodeAnyValue(payload, offset, depth);
                        }

                        break;
                    }

                    case KeyValueFields.Key or KeyValueFields.Value:
                        break;
                    default:
                        reader.SkipField(wire);
                        break;
                }
            }

            return new KeyValue(key, value);
        }

        private AnyValue DecodeAnyValue(ReadOnlySpan<byte> data, int baseOffset, int depth)
        {
            if (depth >= MaxValueDepth)
            {
                _error ??= $"attribute values nested deeper than {MaxValueDepth} levels at byte {baseOffset}";
                return AnyValue.Empty;
            }

            var reader = new ProtoReader(data, baseOffset);
            var value = AnyValue.Empty;

            // A oneof: when several members appear, the last one wins, as in every protobuf parser.
            while (Check(ref reader) && reader.TryReadTag(out var field, out var wire))
            {
                switch (field)
                {
                    case AnyValueFields.StringValue when reader.Expect(wire, WireType.LengthDelimited, "string_value"):
                        value = AnyValue.FromString(AddString(reader.ReadLengthDelimited()));
                        break;
                    case AnyValueFields.BoolValue when reader.Expect(wire, WireType.Varint, "bool_value"):
                        value = AnyValue.FromBool(reader.ReadVarint() != 0);
                        break;
                    case AnyValueFields.IntValue when reader.Expect(wire, WireType.Varint, "int_value"):
                        value = AnyValue.FromInt((long)reader.ReadVarint());
                        break;
                    case AnyValueFields.DoubleValue when reader.Expect(wire, WireType.Fixed64, "double_value"):
                        value = AnyValue.FromDouble(BitConverter.UInt64BitsToDouble(reader.ReadFixed64()));
                        break;
                    case AnyValueFields.BytesValue when reader.Expect(wire, WireType.LengthDelimited, "bytes_value"):
                        value = AnyValue.FromBytes(_batch.AddString(reader.ReadLengthDelimited()));
                        break;
                    case AnyValueFields.ArrayValue when reader.Expect(wire, WireType.LengthDelimited, "array_value"):
                    {
                        if (reader.TryReadMessage(out var payload, out var offset))
                        {
                            value = DecodeArray(payload, offset, depth + 1);
                        }

                        break;
                    }

                    case AnyValueFields.KeyValueListValue when reader.Expect(wire, WireType.LengthDelimited, "kvlist_value"):
                    {
                        if (reader.TryReadMessage(out var payload, out var offset))
                        {
                            value = DecodeKeyValueList(payload, offset, depth + 1);
                        }

                        break;
                    }

                    case >= AnyValueFields.StringValue and <= AnyValueFields.BytesValue:
                        break;
                    default:
                        reader.SkipField(wire);
                        break;
                }
            }

            return value;
        }

        private AnyValue DecodeArray(ReadOnlySpan<byte> data, int baseOffset, int depth)
        {
            // Elements are reserved first so the rows of nested values appended meanwhile stay out of this range.
            var count = CountField(data, baseOffset, ListFields.Values);
            if (count < 0)
            {
                return AnyValue.Empty;
            }

            var start = _batch.ArrayValues.Reserve(count);
            var reader = new ProtoReader(data, baseOffset);
            var i = 0;
            while (Check(ref reader) && reader.TryReadTag(out var field, out var wire))
            {
                if (field == ListFields.Values && reader.Expect(wire, WireType.LengthDelimited, "array_value.values"))
                {
                    if (reader.TryReadMessage(out var payload, out var offset))
                    {
                        // Decode before indexing: nested values grow the table, and a ref taken first would dangle.
                        var element = DecodeAnyValue(payload, offset, depth);
                        _batch.ArrayValues[start + i++] = element;
                    }
                }
                else if (field != ListFields.Values)
                {
                    reader.SkipField(wire);
                }
            }

            return AnyValue.FromArray(new RowRange(start, count));
        }

        private AnyValue DecodeKeyValueList(ReadOnlySpan<byte> data, int baseOffset, int depth)
        {
            var count = CountField(data, baseOffset, ListFields.Values);
            if (count < 0)
            {
                return AnyValue.Empty;
            }

            var start = _batch.NestedAttributes.Reserve(count);
            var reader = new ProtoReader(data, baseOffset);
            var i = 0;
            while (Check(ref reader) && reader.TryReadTag(out var field, out var wire))
            {
                if (field == ListFields.Values && reader.Expect(wire, WireType.LengthDelimited, "kvlist_value.values"))
                {
                    if (reader.TryReadMessage(out var payload, out var offset))
                    {
                        var entry = DecodeKeyValue(payload, offset, depth);
                        _batch.NestedAttributes[start + i++] = entry;
                    }
                }
                else if (field != ListFields.Values)
                {
                    reader.SkipField(wire);
                }
            }

            return AnyValue.FromKeyValueList(new RowRange(start, count));
        }

        /// <summary>Counts occurrences of a length-delimited field, or -1 when the message is malformed.</summary>
        private int CountField(ReadOnlySpan<byte> data, int baseOffset, int fieldNumber)
        {
            var reader = new ProtoReader(data, baseOffset);
            var count = 0;
            while (reader.TryReadTag(out var field, out var wire))
            {
                if (field == fieldNumber && wire == WireType.LengthDelimited)
                {
                    count++;
                }

                reader.SkipField(wire);
            }

            if (reader.Error is not null)
            {
                _error ??= reader.Error;
                return -1;
            }

            return count;
        }

        private Utf8Ref AddString(ReadOnlySpan<byte> utf8) => _strings.Add(utf8);
    }
}
