using System.Buffers.Binary;
using Ariadne.Model;

namespace Ariadne.Storage.Blocks.V1;

/// <summary>
/// Decodes a V1 page payload back into a <see cref="SpanBatch"/>. It replays the encoder's traversal:
/// a scope (and its resource) is read from its table when a span first refers to it, which is also
/// where the encoder wrote its attributes into the attribute columns. Any inconsistency throws
/// <see cref="InvalidDataException"/>: the caller treats the page as corrupt.
/// </summary>
internal static class PageDecoder
{
    private const int MaxDepth = 64;

    /// <summary>Decodes the page; with <paramref name="only"/>, only that trace's spans are materialized (the rest are parsed and skipped).</summary>
    public static SpanBatch Decode(byte[] payload, TraceId? only = null) => Decode(payload, payload.Length, only);

    /// <summary>As <see cref="Decode(byte[], TraceId?)"/>, for a payload in the first <paramref name="payloadLength"/> bytes of a (pooled) buffer; the batch keeps no reference to it.</summary>
    public static SpanBatch Decode(byte[] payload, int payloadLength, TraceId? only)
    {
        var offsets = ColumnOffsets(payload, payloadLength);
        var state = new State(new SpanBatch());

        // Strings are located now but copied into the batch only when a kept row uses them.
        var stringsColumn = offsets[(int)PageColumns.Strings];
        var strings = new ColumnReader(Column(payload, offsets, PageColumns.Strings));
        var stringCount = strings.Count(payload.Length);
        state.Payload = payload;
        state.Strings = new Utf8Ref[stringCount + 1];
        state.Slices = new (int Offset, int Length)[stringCount + 1];
        for (var i = 1; i <= stringCount; i++)
        {
            var length = strings.Bytes().Length;

            // The string ends where the reader now stands.
            state.Slices[i] = (stringsColumn.Start + stringsColumn.Length - strings.Remaining - length, length);
        }

        var resourcesColumn = new ColumnReader(Column(payload, offsets, PageColumns.Resources));
        var resourceCount = resourcesColumn.Count(payload.Length);
        var resourceRows = new ColumnReader(resourcesColumn.Bytes());
        var scopesColumn = new ColumnReader(Column(payload, offsets, PageColumns.Scopes));
        var scopeCount = scopesColumn.Count(payload.Length);
        var scopeRows = new ColumnReader(scopesColumn.Bytes());

        var traces = new ColumnReader(Column(payload, offsets, PageColumns.Traces));
        var spanIds = new ColumnReader(Column(payload, offsets, PageColumns.SpanIds));
        var parentIds = new ColumnReader(Column(payload, offsets, PageColumns.ParentIds));
        var times = new ColumnReader(Column(payload, offsets, PageColumns.Times));
        var durations = new ColumnReader(Column(payload, offsets, PageColumns.Durations));
        var scopeRefs = new ColumnReader(Column(payload, offsets, PageColumns.ScopeRefs));
        var names = new ColumnReader(Column(payload, offsets, PageColumns.Names));
        var kindStatus = new ColumnReader(Column(payload, offsets, PageColumns.KindStatus));
        var details = new ColumnReader(Column(payload, offsets, PageColumns.Details));
        var keys = new ColumnReader(Column(payload, offsets, PageColumns.AttributeKeys));
        var values = new ColumnReader(Column(payload, offsets, PageColumns.AttributeValues));
        var events = new ColumnReader(Column(payload, offsets, PageColumns.Events));
        var links = new ColumnReader(Column(payload, offsets, PageColumns.Links));

        var dedicated = DedicatedColumns(payload, offsets);
        var minStart = times.Varint();
        var traceCount = traces.Count(payload.Length);
        var spanRow = 0;
        var resourcesRead = 0;
        var scopesRead = 0;
        var spanIdColumn = Column(payload, offsets, PageColumns.SpanIds);
        var traceStartRow = 0;
        for (var t = 0; t < traceCount; t++)
        {
            var traceId = new TraceId(traces.UInt64(), traces.UInt64());
            var spansInTrace = traces.Count(payload.Length);
            var keep = only is null || only.Value == traceId;
            var previousStart = 0UL;
            for (var s = 0; s < spansInTrace; s++)
            {
                var span = new SpanRow { TraceId = traceId, SpanId = new SpanId(spanIds.UInt64()) };
                var parent = parentIds.Varint();
                if (parent == PageEncoder.ParentRaw)
                {
                    span.ParentSpanId = new SpanId(parentIds.UInt64());
                }
                else if (parent >= PageEncoder.ParentInTrace)
                {
                    var position = parent - PageEncoder.ParentInTrace;
                    var row = (ulong)traceStartRow + position;
                    if (position >= (ulong)spansInTrace || (row + 1) * 8 > (ulong)spanIdColumn.Length)
                    {
                        throw new InvalidDataException("parent reference points outside its trace");
                    }

                    span.ParentSpanId = new SpanId(BinaryPrimitives.ReadUInt64BigEndian(spanIdColumn[(int)(row * 8)..]));
                }

                span.StartTimeUnixNano = s == 0 ? minStart + times.Varint() : (ulong)((long)previousStart + times.SignedVarint());
                previousStart = span.StartTimeUnixNano;
                span.EndTimeUnixNano = span.StartTimeUnixNano + durations.Varint();
                var scopeRef = scopeRefs.Count(scopeCount);
                if (scopeRef == scopesRead)
                {
                    var resourceRef = scopeRows.Count(resourceCount);
                    if (resourceRef == resourcesRead)
                    {
                        var resource = new ResourceRow { DroppedAttributesCount = (uint)resourceRows.Varint(), SchemaUrl = state.String(ref resourceRows, keep: true) };
                        resource.Attributes = ReadAttributes(ref state, ref keys, ref values, keep: true);
                        state.Batch.Resources.Add(resource);
                        resourcesRead++;
                    }
                    else if (resourceRef > resourcesRead)
                    {
                        throw new InvalidDataException("scope refers to a resource not yet defined");
                    }

                    var scope = new ScopeRow
                    {
                        ResourceIndex = resourceRef,
                        Name = state.String(ref scopeRows, keep: true),
                        Version = state.String(ref scopeRows, keep: true),
                        DroppedAttributesCount = (uint)scopeRows.Varint(),
                        SchemaUrl = state.String(ref scopeRows, keep: true),
                    };
                    scope.Attributes = ReadAttributes(ref state, ref keys, ref values, keep: true);
                    state.Batch.Scopes.Add(scope);
                    scopesRead++;
                }
                else if (scopeRef > scopesRead)
                {
                    throw new InvalidDataException("span refers to a scope not yet defined");
                }

                span.ScopeIndex = scopeRef;
                span.Name = state.String(ref names, keep);
                var ks = kindStatus.Byte();
                span.Kind = (SpanKind)(ks & 0x0F);
                span.StatusCode = (StatusCode)(ks >> 4);
                span.StatusMessage = state.String(ref details, keep);
                span.TraceState = state.String(ref details, keep);
                span.Flags = (uint)details.Varint();
                span.DroppedAttributesCount = (uint)details.Varint();
                span.DroppedEventsCount = (uint)details.Varint();
                span.DroppedLinksCount = (uint)details.Varint();
                span.Attributes = dedicated.Length == 0
                    ? ReadAttributes(ref state, ref keys, ref values, keep)
                    : ReadSpanAttributes(ref state, ref keys, ref values, dedicated, spanRow, keep);
                spanRow++;

                var eventCount = events.Count(payload.Length);
                var eventStart = state.Batch.Events.Count;
                for (var e = 0; e < eventCount; e++)
                {
                    var row = new EventRow
                    {
                        TimeUnixNano = (ulong)((long)span.StartTimeUnixNano + events.SignedVarint()),
                        Name = state.String(ref events, keep),
                        DroppedAttributesCount = (uint)events.Varint(),
                    };
                    row.Attributes = ReadAttributes(ref state, ref keys, ref values, keep);
                    if (keep)
                    {
                        state.Batch.Events.Add(row);
                    }
                }

                span.Events = new RowRange(eventStart, keep ? eventCount : 0);
                var linkCount = links.Count(payload.Length);
                var linkStart = state.Batch.Links.Count;
                for (var l = 0; l < linkCount; l++)
                {
                    var row = new LinkRow
                    {
                        TraceId = new TraceId(links.UInt64(), links.UInt64()),
                        SpanId = new SpanId(links.UInt64()),
                        TraceState = state.String(ref links, keep),
                        Flags = (uint)links.Varint(),
                        DroppedAttributesCount = (uint)links.Varint(),
                    };
                    row.Attributes = ReadAttributes(ref state, ref keys, ref values, keep);
                    if (keep)
                    {
                        state.Batch.Links.Add(row);
                    }
                }

                span.Links = new RowRange(linkStart, keep ? linkCount : 0);
                if (keep)
                {
                    state.Batch.Spans.Add(span);
                }
            }

            traceStartRow += spansInTrace;
        }

        if (!spanIds.IsAtEnd || !parentIds.IsAtEnd || !times.IsAtEnd || !durations.IsAtEnd || !scopeRefs.IsAtEnd || !names.IsAtEnd || !kindStatus.IsAtEnd
            || !details.IsAtEnd || !keys.IsAtEnd || !values.IsAtEnd || !events.IsAtEnd || !links.IsAtEnd || !traces.IsAtEnd
            || !resourceRows.IsAtEnd || !scopeRows.IsAtEnd || scopesRead != scopeCount || resourcesRead != resourceCount
            || !DedicatedColumnsConsumed(dedicated, spanRow)
            || !ResourceServicesAgree(Column(payload, offsets, PageColumns.ResourceServices), resourceCount, stringCount))
        {
            throw new InvalidDataException("page columns do not agree on the number of rows");
        }

        return state.Batch;
    }

    /// <summary>
    /// Calls <paramref name="visit"/> with each string of the page's table until it returns true, without
    /// decoding any row: a search tests its string values here before paying for the rows.
    /// </summary>
    public static bool AnyString<TState>(ReadOnlySpan<byte> stringsColumn, TState state, Func<TState, ReadOnlySpan<byte>, bool> visit)
    {
        var strings = new ColumnReader(stringsColumn);
        var count = strings.Count(stringsColumn.Length);
        for (var i = 0; i < count; i++)
        {
            if (visit(state, strings.Bytes()))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Where each column lies in a payload: the 16 of <see cref="PageColumns"/>, then the dedicated ones.</summary>
    public static (int Start, int Length)[] ColumnOffsets(byte[] payload) => ColumnOffsets(payload, payload.Length);

    public static (int Start, int Length)[] ColumnOffsets(byte[] buffer, int payloadLength)
    {
        var payload = buffer.AsSpan(0, payloadLength);
        // Pages written before the resource-services column have the 16 columns before it and no more.
        const int Legacy = (int)PageColumns.ResourceServices;
        var count = payload.Length < 2 ? 0 : BinaryPrimitives.ReadUInt16LittleEndian(payload);
        if (count != Legacy && (count < (int)PageColumns.Count || count > (int)PageColumns.Count + PageEncoder.MaxDedicatedColumns))
        {
            throw new InvalidDataException("page has an unexpected column count");
        }

        var headerLength = 2 + (count * 4);
        if (payload.Length < headerLength)
        {
            throw new InvalidDataException("page header is truncated");
        }

        var offsets = new (int Start, int Length)[Math.Max(count, (int)PageColumns.Count)];
        var position = headerLength;
        for (var i = 0; i < count; i++)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(payload[(2 + (i * 4))..]);
            if (length < 0 || length > payload.Length - position)
            {
                throw new InvalidDataException("page column runs past the page");
            }

            offsets[i] = (position, length);
            position += length;
        }

        if (position != payload.Length)
        {
            throw new InvalidDataException("page has bytes after its last column");
        }

        if (count == Legacy)
        {
            offsets[Legacy] = (payload.Length, 0);
        }

        return offsets;
    }

    private static ReadOnlySpan<byte> Column(ReadOnlySpan<byte> payload, (int Start, int Length)[] offsets, PageColumns column) =>
        payload.Slice(offsets[(int)column].Start, offsets[(int)column].Length);

    private static DedicatedReader[] DedicatedColumns(byte[] payload, (int Start, int Length)[] offsets)
    {
        var count = offsets.Length - (int)PageColumns.Count;
        if (count == 0)
        {
            return [];
        }

        // Every span has one tag byte in every dedicated column.
        var spans = offsets[(int)PageColumns.SpanIds].Length / 8;
        var readers = new DedicatedReader[count];
        for (var d = 0; d < count; d++)
        {
            readers[d] = new DedicatedReader(payload, offsets[(int)PageColumns.Count + d], spans);
        }

        return readers;
    }

    private static bool ResourceServicesAgree(ReadOnlySpan<byte> column, int resources, int strings)
    {
        if (column.IsEmpty)
        {
            return true;
        }

        var reader = new ColumnReader(column);
        for (var i = 0; i < resources; i++)
        {
            reader.Count(strings);
        }

        return reader.IsAtEnd;
    }

    private static bool DedicatedColumnsConsumed(DedicatedReader[] dedicated, int spans)
    {
        foreach (var column in dedicated)
        {
            if (!column.IsConsumed)
            {
                return false;
            }
        }

        return dedicated.Length == 0 || dedicated[0].Spans == spans;
    }

    /// <summary>A span's attributes: those of the attribute columns, with the dedicated columns' put back at their positions.</summary>
    private static RowRange ReadSpanAttributes(ref State state, ref ColumnReader keys, ref ColumnReader values, DedicatedReader[] dedicated, int spanRow, bool keep)
    {
        var generic = keys.Count(1 << 24);
        var total = generic;
        foreach (var column in dedicated)
        {
            if (column.Tag(spanRow) != 0)
            {
                total++;
            }
        }

        var rows = keep ? new KeyValue[total] : null;
        Span<bool> filled = total <= 256 ? stackalloc bool[total] : new bool[total];
        foreach (var column in dedicated)
        {
            var tag = column.Tag(spanRow);
            if (tag == 0)
            {
                continue;
            }

            var position = column.NextPosition(total);
            if (filled[position])
            {
                throw new InvalidDataException("two dedicated attributes claim one position");
            }

            filled[position] = true;
            var value = column.NextValue(ref state, tag, keep);
            if (rows is not null)
            {
                rows[position] = new KeyValue(column.Key(ref state), value);
            }
        }

        var slot = 0;
        for (var i = 0; i < generic; i++)
        {
            while (slot < total && filled[slot])
            {
                slot++;
            }

            var key = state.String(ref keys, keep);
            var value = ReadValue(ref state, ref keys, ref values, 0, keep);
            if (rows is not null)
            {
                rows[slot] = new KeyValue(key, value);
            }

            slot++;
        }

        return rows is null ? default : new RowRange(state.Batch.Attributes.AddRange(rows), total);
    }

    private static RowRange ReadAttributes(ref State state, ref ColumnReader keys, ref ColumnReader values, bool keep)
    {
        var count = keys.Count(1 << 24);
        if (!keep)
        {
            for (var i = 0; i < count; i++)
            {
                keys.Varint();
                ReadValue(ref state, ref keys, ref values, 0, keep: false);
            }

            return default;
        }

        var rows = new KeyValue[count];
        for (var i = 0; i < count; i++)
        {
            var key = state.String(ref keys, keep: true);
            rows[i] = new KeyValue(key, ReadValue(ref state, ref keys, ref values, 0, keep: true));
        }

        return new RowRange(state.Batch.Attributes.AddRange(rows), count);
    }

    /// <summary>
    /// Reads one value: its type (and a decimal's scale) from <paramref name="types"/>, the rest from
    /// <paramref name="values"/> — the key column for attributes, the value column itself for nested
    /// values. When not kept it is parsed only, nothing is added to the batch.
    /// </summary>
    private static AnyValue ReadValue(ref State state, ref ColumnReader types, ref ColumnReader values, int depth, bool keep)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidDataException("attribute values nested too deep");
        }

        var kind = (ValueKind)types.Byte();
        switch (kind)
        {
            case ValueKind.Empty:
                return AnyValue.Empty;
            case ValueKind.String:
                return AnyValue.FromString(state.String(ref values, keep));
            case ValueKind.Bool:
                return AnyValue.FromBool(values.Byte() != 0);
            case ValueKind.Int:
                return AnyValue.FromInt(values.SignedVarint());
            case ValueKind.Double:
                return AnyValue.FromDouble(BitConverter.Int64BitsToDouble((long)values.UInt64()));
            case (ValueKind)PageEncoder.StoredDecimalDouble:
            {
                var scale = types.Byte();
                return AnyValue.FromDouble(DecimalDouble.Decode(scale, values.SignedVarint()));
            }
            case ValueKind.Bytes:
            {
                var bytes = values.Bytes();
                return keep ? AnyValue.FromBytes(state.Batch.AddString(bytes)) : AnyValue.Empty;
            }

            case ValueKind.Array:
            {
                var count = values.Count(1 << 24);
                var elements = keep ? new AnyValue[count] : null;
                for (var i = 0; i < count; i++)
                {
                    var element = ReadValue(ref state, ref values, ref values, depth + 1, keep);
                    if (elements is not null)
                    {
                        elements[i] = element;
                    }
                }

                return keep ? AnyValue.FromArray(new RowRange(state.Batch.ArrayValues.AddRange(elements), count)) : AnyValue.Empty;
            }

            case ValueKind.KeyValueList:
            {
                var count = values.Count(1 << 24);
                var entries = keep ? new KeyValue[count] : null;
                for (var i = 0; i < count; i++)
                {
                    var key = state.String(ref values, keep);
                    var value = ReadValue(ref state, ref values, ref values, depth + 1, keep);
                    if (entries is not null)
                    {
                        entries[i] = new KeyValue(key, value);
                    }
                }

                return keep ? AnyValue.FromKeyValueList(new RowRange(state.Batch.NestedAttributes.AddRange(entries), count)) : AnyValue.Empty;
            }

            default:
                throw new InvalidDataException($"unknown value type {(byte)kind}");
        }
    }

    private struct State
    {
        public State(SpanBatch batch)
        {
            Batch = batch;
            Payload = [];
            Strings = [];
            Slices = [];
        }

        public SpanBatch Batch { get; }

        public byte[] Payload { get; set; }

        /// <summary>Where each string of the page's table lies in the payload.</summary>
        public (int Offset, int Length)[] Slices { get; set; }

        /// <summary>Strings already copied into the batch (an empty reference until then).</summary>
        public Utf8Ref[] Strings { get; set; }

        public readonly Utf8Ref String(ref ColumnReader reader, bool keep) => StringAt(reader.Count(Strings.Length - 1), keep);

        public readonly Utf8Ref StringAt(int index, bool keep)
        {
            if ((uint)index >= (uint)Strings.Length)
            {
                throw new InvalidDataException("string index outside the page's table");
            }

            if (!keep || index == 0)
            {
                return default;
            }

            var (offset, length) = Slices[index];
            if (Strings[index].IsEmpty && length > 0)
            {
                Strings[index] = Batch.AddString(Payload.AsSpan(offset, length));
            }

            return Strings[index];
        }
    }

    /// <summary>Reads one dedicated column alongside the rows (see <see cref="PageEncoder"/> for its layout).</summary>
    private sealed class DedicatedReader
    {
        private readonly byte[] _payload;
        private readonly int _keyStart;
        private readonly int _keyLength;
        private readonly int _tags;
        private readonly int _positionsEnd;
        private readonly int _end;
        private int _position;
        private int _value;
        private Utf8Ref _key;

        public DedicatedReader(byte[] payload, (int Start, int Length) column, int spans)
        {
            _payload = payload;
            Spans = spans;
            var reader = new ColumnReader(payload.AsSpan(column.Start, column.Length));
            var key = reader.Bytes();
            _keyStart = column.Start + column.Length - reader.Remaining - key.Length;
            _keyLength = key.Length;
            _tags = column.Start + column.Length - reader.Remaining;
            if (reader.Remaining < spans)
            {
                throw new InvalidDataException("dedicated column has fewer tags than the page has spans");
            }

            var afterTags = new ColumnReader(payload.AsSpan(_tags + spans, column.Start + column.Length - _tags - spans));
            var positionsLength = afterTags.Count(afterTags.Remaining);
            _position = column.Start + column.Length - afterTags.Remaining;
            _positionsEnd = _position + positionsLength;
            _value = _positionsEnd;
            _end = column.Start + column.Length;
        }

        public int Spans { get; }

        public bool IsConsumed => _position == _positionsEnd && _value == _end;

        public byte Tag(int span) => _payload[_tags + span];

        public Utf8Ref Key(ref State state)
        {
            if (_key.IsEmpty)
            {
                _key = state.Batch.AddString(_payload.AsSpan(_keyStart, _keyLength));
            }

            return _key;
        }

        public int NextPosition(int total)
        {
            var reader = new ColumnReader(_payload.AsSpan(_position, _positionsEnd - _position));
            var position = reader.Count(total - 1);
            _position = _positionsEnd - reader.Remaining;
            return position;
        }

        public AnyValue NextValue(ref State state, byte tag, bool keep)
        {
            var reader = new ColumnReader(_payload.AsSpan(_value, _end - _value));
            AnyValue value;
            switch ((ValueKind)tag)
            {
                case ValueKind.String:
                    value = AnyValue.FromString(state.String(ref reader, keep));
                    break;
                case ValueKind.Bool:
                    value = AnyValue.FromBool(reader.Byte() != 0);
                    break;
                case ValueKind.Int:
                    value = AnyValue.FromInt(reader.SignedVarint());
                    break;
                case ValueKind.Double:
                    value = AnyValue.FromDouble(BitConverter.Int64BitsToDouble((long)reader.UInt64()));
                    break;
                case (ValueKind)PageEncoder.StoredDecimalDouble:
                    var scale = reader.Byte();
                    value = AnyValue.FromDouble(DecimalDouble.Decode(scale, reader.SignedVarint()));
                    break;
                default:
                    throw new InvalidDataException($"dedicated column holds unknown value type {tag}");
            }

            _value = _end - reader.Remaining;
            return value;
        }
    }
}
