using System.Buffers.Binary;
using Ariadne.Model;

namespace Ariadne.Storage.Blocks.V1;

/// <summary>
/// Encodes spans (already sorted by trace id) into one page's columns: every field in its own column,
/// strings dictionary-encoded per page, times as deltas, ids raw. Resources and scopes are stored once
/// per page however many spans share them.
/// </summary>
internal sealed class PageEncoder
{
    /// <summary>Parent reference: no parent.</summary>
    public const ulong ParentNone = 0;

    /// <summary>Parent reference: a parent outside the trace's spans on this page; its id (u64) follows.</summary>
    public const ulong ParentRaw = 1;

    /// <summary>Parent reference: the trace's span at position (value − this) on this page.</summary>
    public const ulong ParentInTrace = 2;

    /// <summary>Value type of a double stored as a decimal: scale byte, then the zigzag mantissa.</summary>
    public const byte StoredDecimalDouble = 8;

    private readonly ColumnWriter[] _columns = new ColumnWriter[(int)PageColumns.Count];
    private readonly Dictionary<Utf8Key, int> _strings = new();
    private readonly List<Utf8Key> _stringList = [];
    private readonly Dictionary<(SpanBatch, int), int> _resources = new();
    private readonly Dictionary<(SpanBatch, int), int> _scopes = new();
    private readonly ColumnWriter _resourceRows = new();
    private readonly ColumnWriter _scopeRows = new();

    /// <summary>Span id → position within the current trace, for parent references.</summary>
    private readonly Dictionary<SpanId, int> _traceSpans = new();

    /// <summary>Span attribute keys of the page (their position in <see cref="_keyCounts"/>), counted to choose the dedicated columns.</summary>
    private readonly Dictionary<Utf8Key, int> _keyIds = new();
    private readonly List<KeyCount> _keyCounts = [];

    /// <summary>
    /// The key id of every span attribute on the page, in the order the spans and their attributes are
    /// written: each key is looked up once per page write, not again for its column and its string.
    /// </summary>
    private int[] _attributeKeyIds = new int[1024];
    private int _attributeCursor;

    // Per attribute position, the key the span before had there and its id: spans of one shape list
    // their keys in the same order, so most keys are found by one comparison instead of a hash lookup.
    private KeyHint[] _keyHints = new KeyHint[64];

    /// <summary>Per key id: its dedicated column, or −1.</summary>
    private int[] _keyDedicated = new int[64];

    /// <summary>Per key id: its index in the page's string table once written, or −1.</summary>
    private int[] _keyString = new int[64];
    private readonly List<DedicatedColumn> _dedicated = [];
    private readonly List<DedicatedColumn> _spareDedicated = [];
    private byte[] _spanTags = new byte[MaxDedicatedColumns];
    private int[] _attributeColumn = new int[16];

    /// <summary>At most this many span attribute keys get columns of their own per page.</summary>
    public const int MaxDedicatedColumns = 32;

    /// <summary>The keys of the page's dedicated columns (columns 16 onwards), in column order, after <see cref="Encode"/>.</summary>
    public int DedicatedCount => _dedicated.Count;

    public ReadOnlySpan<byte> DedicatedKey(int index) => _dedicated[index].Key.Bytes;

    /// <summary>The number of distinct span attribute keys on the page, after <see cref="Encode"/>.</summary>
    public int PageKeyCount => _keyCounts.Count;

    /// <summary>The page's distinct span attribute keys in the order they first appear, after <see cref="Encode"/>.</summary>
    public Utf8Key PageKey(int index) => _keyCounts[index].Key;

    public PageEncoder()
    {
        for (var i = 0; i < _columns.Length; i++)
        {
            _columns[i] = new ColumnWriter();
        }
    }

    private ColumnWriter this[PageColumns column] => _columns[(int)column];

    /// <summary>Encodes the spans and returns the uncompressed page payload.</summary>
    public byte[] Encode(ReadOnlySpan<SpanRef> spans)
    {
        Reset();
        var minStart = ulong.MaxValue;
        foreach (var span in spans)
        {
            minStart = Math.Min(minStart, span.Row.StartTimeUnixNano);
        }

        WriteTraces(spans);
        ChooseDedicatedColumns(spans);
        this[PageColumns.Times].Varint(minStart);
        for (var i = 0; i < spans.Length; i++)
        {
            var firstOfTrace = i == 0 || spans[i].Row.TraceId != spans[i - 1].Row.TraceId;
            if (firstOfTrace)
            {
                IndexTrace(spans, i);
            }

            WriteSpan(spans[i], minStart, firstOfTrace ? null : spans[i - 1].Row.StartTimeUnixNano);
        }

        // Resources and scopes were collected while writing spans; their tables are written last
        // into their own columns (and their attributes follow the spans' in the attribute columns).
        this[PageColumns.Resources].Varint((ulong)_resources.Count);
        this[PageColumns.Resources].Bytes(_resourceRows.Written);
        this[PageColumns.Scopes].Varint((ulong)_scopes.Count);
        this[PageColumns.Scopes].Bytes(_scopeRows.Written);

        var strings = this[PageColumns.Strings];
        strings.Varint((ulong)_stringList.Count);
        foreach (var s in _stringList)
        {
            strings.Bytes(s.Bytes);
        }

        var columnCount = _columns.Length + _dedicated.Count;
        var headerLength = 2 + (columnCount * 4);
        var total = headerLength;
        foreach (var column in _columns)
        {
            total += column.Length;
        }

        foreach (var column in _dedicated)
        {
            total += column.Length;
        }

        var payload = new byte[total];
        BinaryPrimitives.WriteUInt16LittleEndian(payload, (ushort)columnCount);
        var position = headerLength;
        for (var i = 0; i < _columns.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(2 + (i * 4)), _columns[i].Length);
            _columns[i].Written.CopyTo(payload.AsSpan(position));
            position += _columns[i].Length;
        }

        for (var d = 0; d < _dedicated.Count; d++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(2 + ((_columns.Length + d) * 4)), _dedicated[d].Length);
            position += _dedicated[d].CopyTo(payload.AsSpan(position));
        }

        return payload;
    }

    /// <summary>The page's id of an attribute key, given out in the order keys first appear.</summary>
    private int KeyId(SpanBatch batch, Utf8Ref value)
    {
        var key = new Utf8Key(batch, value);
        ref var id = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_keyIds, key, out var existed);
        if (!existed)
        {
            id = _keyCounts.Count;
            _keyCounts.Add(new KeyCount { Key = key, LastSpan = -1 });
        }

        return id;
    }

    /// <summary>
    /// Picks the span attribute keys that get a column of their own on this page: keys whose every
    /// occurrence is a scalar (string, bool, int, double) and appears at most once per span, the most
    /// frequent first. A search compares such an attribute on its column without decoding the page.
    /// </summary>
    private void ChooseDedicatedColumns(ReadOnlySpan<SpanRef> spans)
    {
        _keyIds.Clear();
        _keyCounts.Clear();
        var total = 0;
        for (var i = 0; i < spans.Length; i++)
        {
            total += spans[i].Row.Attributes.Count;
        }

        if (_attributeKeyIds.Length < total)
        {
            _attributeKeyIds = new int[Math.Max(total, _attributeKeyIds.Length * 2)];
        }

        var next = 0;
        Array.Clear(_keyHints);
        for (var i = 0; i < spans.Length; i++)
        {
            var batch = spans[i].Batch;
            var attributes = batch.AttributesOf(spans[i].Row.Attributes);
            if (_keyHints.Length < attributes.Length)
            {
                Array.Resize(ref _keyHints, attributes.Length);
            }

            for (var position = 0; position < attributes.Length; position++)
            {
                ref readonly var kv = ref attributes[position];
                ref var hint = ref _keyHints[position];
                var id = hint.Batch is not null && hint.Batch.Utf8(hint.Key).SequenceEqual(batch.Utf8(kv.Key)) ? hint.Id : KeyId(batch, kv.Key);
                hint = new KeyHint(batch, kv.Key, id);
                _attributeKeyIds[next++] = id;
                ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_keyCounts)[id];
                var scalar = kv.Value.Kind is ValueKind.String or ValueKind.Bool or ValueKind.Int or ValueKind.Double;
                if (!scalar || count.LastSpan == i || kv.Key.IsEmpty)
                {
                    count.Excluded = true;
                }

                count.LastSpan = i;
                count.Spans++;
            }
        }

        if (_keyDedicated.Length < _keyCounts.Count)
        {
            _keyDedicated = new int[Math.Max(_keyCounts.Count, _keyDedicated.Length * 2)];
            _keyString = new int[_keyDedicated.Length];
        }

        _keyDedicated.AsSpan(0, _keyCounts.Count).Fill(-1);
        _keyString.AsSpan(0, _keyCounts.Count).Fill(-1);
        var chosen = new List<(int Id, int Spans)>(_keyCounts.Count);
        for (var id = 0; id < _keyCounts.Count; id++)
        {
            if (!_keyCounts[id].Excluded)
            {
                chosen.Add((id, _keyCounts[id].Spans));
            }
        }

        var keys = _keyCounts;
        chosen.Sort((a, b) =>
        {
            var c = b.Spans.CompareTo(a.Spans);
            return c != 0 ? c : keys[a.Id].Key.Bytes.SequenceCompareTo(keys[b.Id].Key.Bytes);
        });

        for (var d = 0; d < chosen.Count && d < MaxDedicatedColumns; d++)
        {
            DedicatedColumn column;
            if (_spareDedicated.Count > 0)
            {
                column = _spareDedicated[^1];
                _spareDedicated.RemoveAt(_spareDedicated.Count - 1);
            }
            else
            {
                column = new DedicatedColumn();
            }

            column.Start(_keyCounts[chosen[d].Id].Key);
            _keyDedicated[chosen[d].Id] = _dedicated.Count;
            _dedicated.Add(column);
        }

        _attributeCursor = 0;
    }

    private void Reset()
    {
        foreach (var column in _columns)
        {
            column.Clear();
        }

        _strings.Clear();
        _stringList.Clear();
        _resources.Clear();
        _scopes.Clear();
        _resourceRows.Clear();
        _scopeRows.Clear();
        _spareDedicated.AddRange(_dedicated);
        _dedicated.Clear();
    }

    private void WriteTraces(ReadOnlySpan<SpanRef> spans)
    {
        var traces = this[PageColumns.Traces];
        var count = 0;
        for (var i = 0; i < spans.Length; i++)
        {
            if (i == 0 || spans[i].Row.TraceId != spans[i - 1].Row.TraceId)
            {
                count++;
            }
        }

        traces.Varint((ulong)count);
        var run = 0;
        for (var i = 0; i < spans.Length; i++)
        {
            run++;
            if (i == spans.Length - 1 || spans[i + 1].Row.TraceId != spans[i].Row.TraceId)
            {
                traces.UInt64(spans[i].Row.TraceId.High);
                traces.UInt64(spans[i].Row.TraceId.Low);
                traces.Varint((ulong)run);
                run = 0;
            }
        }
    }

    private void IndexTrace(ReadOnlySpan<SpanRef> spans, int start)
    {
        _traceSpans.Clear();
        for (var i = start; i < spans.Length && spans[i].Row.TraceId == spans[start].Row.TraceId; i++)
        {
            _traceSpans.TryAdd(spans[i].Row.SpanId, i - start);
        }
    }

    private void WriteSpan(SpanRef span, ulong minStart, ulong? previousStart)
    {
        var batch = span.Batch;
        ref readonly var row = ref span.Row;
        this[PageColumns.SpanIds].UInt64(row.SpanId.Value);

        // Parents are nearly always in the same trace on the same page: a small position instead of 8 random bytes.
        var parents = this[PageColumns.ParentIds];
        if (row.ParentSpanId.Value == 0)
        {
            parents.Varint(ParentNone);
        }
        else if (_traceSpans.TryGetValue(row.ParentSpanId, out var position))
        {
            parents.Varint(ParentInTrace + (ulong)position);
        }
        else
        {
            parents.Varint(ParentRaw);
            parents.UInt64(row.ParentSpanId.Value);
        }

        // The first span of a trace is placed relative to the page; the others relative to the span before.
        var times = this[PageColumns.Times];
        if (previousStart is { } previous)
        {
            times.SignedVarint((long)(row.StartTimeUnixNano - previous));
        }
        else
        {
            times.Varint(row.StartTimeUnixNano - minStart);
        }

        this[PageColumns.Durations].Varint(row.EndTimeUnixNano - row.StartTimeUnixNano);
        this[PageColumns.ScopeRefs].Varint((ulong)Scope(batch, row.ScopeIndex));
        this[PageColumns.Names].Varint((ulong)String(batch, row.Name));
        this[PageColumns.KindStatus].Byte((byte)((byte)row.Kind | ((byte)row.StatusCode << 4)));
        var details = this[PageColumns.Details];
        details.Varint((ulong)String(batch, row.StatusMessage));
        details.Varint((ulong)String(batch, row.TraceState));
        details.Varint(row.Flags);
        details.Varint(row.DroppedAttributesCount);
        details.Varint(row.DroppedEventsCount);
        details.Varint(row.DroppedLinksCount);
        WriteSpanAttributes(batch, row.Attributes);

        var events = this[PageColumns.Events];
        events.Varint((ulong)row.Events.Count);
        foreach (ref readonly var e in batch.Events.Rows.Slice(row.Events.Start, row.Events.Count))
        {
            events.SignedVarint((long)(e.TimeUnixNano - row.StartTimeUnixNano));
            events.Varint((ulong)String(batch, e.Name));
            events.Varint(e.DroppedAttributesCount);
            WriteAttributes(batch, e.Attributes);
        }

        var links = this[PageColumns.Links];
        links.Varint((ulong)row.Links.Count);
        foreach (ref readonly var link in batch.Links.Rows.Slice(row.Links.Start, row.Links.Count))
        {
            links.UInt64(link.TraceId.High);
            links.UInt64(link.TraceId.Low);
            links.UInt64(link.SpanId.Value);
            links.Varint((ulong)String(batch, link.TraceState));
            links.Varint(link.Flags);
            links.Varint(link.DroppedAttributesCount);
            WriteAttributes(batch, link.Attributes);
        }
    }

    private int Scope(SpanBatch batch, int scopeIndex)
    {
        if (_scopes.TryGetValue((batch, scopeIndex), out var index))
        {
            return index;
        }

        var scope = batch.Scopes[scopeIndex];
        var resource = Resource(batch, scope.ResourceIndex);
        index = _scopes.Count;
        _scopes.Add((batch, scopeIndex), index);
        _scopeRows.Varint((ulong)resource);
        _scopeRows.Varint((ulong)String(batch, scope.Name));
        _scopeRows.Varint((ulong)String(batch, scope.Version));
        _scopeRows.Varint(scope.DroppedAttributesCount);
        _scopeRows.Varint((ulong)String(batch, scope.SchemaUrl));
        WriteAttributes(batch, scope.Attributes);
        return index;
    }

    private int Resource(SpanBatch batch, int resourceIndex)
    {
        if (_resources.TryGetValue((batch, resourceIndex), out var index))
        {
            return index;
        }

        var resource = batch.Resources[resourceIndex];
        index = _resources.Count;
        _resources.Add((batch, resourceIndex), index);
        this[PageColumns.ResourceServices].Varint(batch.TryGetString(resource.Attributes, "service.name"u8, out var service) ? (ulong)String(batch, service) : 0);
        _resourceRows.Varint(resource.DroppedAttributesCount);
        _resourceRows.Varint((ulong)String(batch, resource.SchemaUrl));
        WriteAttributes(batch, resource.Attributes);
        return index;
    }

    /// <summary>
    /// A span's attributes: those with a dedicated column go there (with their position in the list), the
    /// rest to the attribute columns. With no dedicated columns this is exactly <see cref="WriteAttributes"/>.
    /// </summary>
    private void WriteSpanAttributes(SpanBatch batch, RowRange attributes)
    {
        if (_attributeColumn.Length < attributes.Count)
        {
            _attributeColumn = new int[Math.Max(attributes.Count, _attributeColumn.Length * 2)];
        }

        // The keys were looked up in the order spans are written, when the dedicated columns were chosen.
        var ids = _attributeKeyIds.AsSpan(_attributeCursor, attributes.Count);
        _attributeCursor += attributes.Count;
        var all = batch.AttributesOf(attributes);
        var generic = 0;
        for (var i = 0; i < all.Length; i++)
        {
            _attributeColumn[i] = _keyDedicated[ids[i]];
            if (_attributeColumn[i] < 0)
            {
                generic++;
            }
        }

        var keys = this[PageColumns.AttributeKeys];
        keys.Varint((ulong)generic);
        Array.Clear(_spanTags, 0, _dedicated.Count);
        for (var i = 0; i < all.Length; i++)
        {
            ref readonly var kv = ref all[i];
            var d = _attributeColumn[i];
            if (d < 0)
            {
                ref var stringIndex = ref _keyString[ids[i]];
                if (stringIndex < 0)
                {
                    stringIndex = String(batch, kv.Key);
                }

                keys.Varint((ulong)stringIndex);
                WriteValue(batch, kv.Value, keys);
                continue;
            }

            var column = _dedicated[d];
            column.Positions.Varint((ulong)i);
            _spanTags[d] = WriteDedicatedValue(batch, kv.Value, column.Values);
        }

        for (var d = 0; d < _dedicated.Count; d++)
        {
            _dedicated[d].Tags.Byte(_spanTags[d]);
        }
    }

    /// <summary>Writes a scalar into a dedicated column's values and returns its stored type (the tag).</summary>
    private byte WriteDedicatedValue(SpanBatch batch, AnyValue value, ColumnWriter values)
    {
        switch (value.Kind)
        {
            case ValueKind.String:
                values.Varint((ulong)String(batch, value.StringRef));
                return (byte)ValueKind.String;
            case ValueKind.Bool:
                values.Byte(value.BoolValue ? (byte)1 : (byte)0);
                return (byte)ValueKind.Bool;
            case ValueKind.Int:
                values.SignedVarint(value.IntValue);
                return (byte)ValueKind.Int;
            default:
                if (DecimalDouble.TryEncode(value.DoubleValue, out var scale, out var mantissa))
                {
                    values.Byte((byte)scale);
                    values.SignedVarint(mantissa);
                    return StoredDecimalDouble;
                }

                values.UInt64((ulong)value.Scalar);
                return (byte)ValueKind.Double;
        }
    }

    private void WriteAttributes(SpanBatch batch, RowRange attributes)
    {
        var keys = this[PageColumns.AttributeKeys];
        keys.Varint((ulong)attributes.Count);
        foreach (ref readonly var kv in batch.AttributesOf(attributes))
        {
            keys.Varint((ulong)String(batch, kv.Key));

            // The type goes next to the key it nearly always repeats with, which compresses far better
            // than interleaving it with the values.
            WriteValue(batch, kv.Value, keys);
        }
    }

    /// <summary>Writes a value: its type byte (and a decimal's scale) to <paramref name="types"/>, the rest to the value column.</summary>
    private void WriteValue(SpanBatch batch, AnyValue value, ColumnWriter types)
    {
        var values = this[PageColumns.AttributeValues];
        if (value.Kind == ValueKind.Double && DecimalDouble.TryEncode(value.DoubleValue, out var scale, out var mantissa))
        {
            types.Byte(StoredDecimalDouble);
            types.Byte((byte)scale);
            values.SignedVarint(mantissa);
            return;
        }

        types.Byte((byte)value.Kind);
        switch (value.Kind)
        {
            case ValueKind.String:
                values.Varint((ulong)String(batch, value.StringRef));
                break;
            case ValueKind.Bool:
                values.Byte(value.BoolValue ? (byte)1 : (byte)0);
                break;
            case ValueKind.Int:
                values.SignedVarint(value.IntValue);
                break;
            case ValueKind.Double:
                values.UInt64((ulong)value.Scalar);
                break;
            case ValueKind.Bytes:
                values.Bytes(batch.Utf8(value.StringRef));
                break;
            case ValueKind.Array:
                values.Varint((ulong)value.Length);
                foreach (var element in batch.ElementsOf(value))
                {
                    WriteValue(batch, element, values);
                }

                break;
            case ValueKind.KeyValueList:
                values.Varint((ulong)value.Length);
                foreach (ref readonly var entry in batch.EntriesOf(value))
                {
                    values.Varint((ulong)String(batch, entry.Key));
                    WriteValue(batch, entry.Value, values);
                }

                break;
        }
    }

    private int String(SpanBatch batch, Utf8Ref value)
    {
        if (value.IsEmpty)
        {
            return 0;
        }

        var key = new Utf8Key(batch, value);
        if (!_strings.TryGetValue(key, out var index))
        {
            // Index 0 is the empty string, so it is never stored.
            index = _stringList.Count + 1;
            _strings.Add(key, index);
            _stringList.Add(key);
        }

        return index;
    }

    private struct KeyCount
    {
        public Utf8Key Key;
        public int Spans;
        public int LastSpan;
        public bool Excluded;
    }

    /// <summary>
    /// A dedicated column being built: the key (length + UTF-8), then one tag byte per span (0: the span
    /// has no such attribute, else the stored value type), then the positions of the attribute in each
    /// tagged span's list (length-prefixed varints), then the values of the tagged spans.
    /// </summary>
    private sealed class DedicatedColumn
    {
        private readonly ColumnWriter _prefix = new();

        public Utf8Key Key { get; private set; }

        public ColumnWriter Tags { get; } = new();

        public ColumnWriter Positions { get; } = new();

        public ColumnWriter Values { get; } = new();

        public void Start(Utf8Key key)
        {
            Key = key;
            Tags.Clear();
            Positions.Clear();
            Values.Clear();
        }

        public int Length
        {
            get
            {
                Seal();
                return _prefix.Length + Positions.Length + Values.Length;
            }
        }

        /// <summary>Key, tags and the positions' length, which are known once every span is written.</summary>
        private void Seal()
        {
            _prefix.Clear();
            _prefix.Bytes(Key.Bytes);
            _prefix.Raw(Tags.Written);
            _prefix.Varint((ulong)Positions.Length);
        }

        public int CopyTo(Span<byte> destination)
        {
            Seal();
            _prefix.Written.CopyTo(destination);
            Positions.Written.CopyTo(destination[_prefix.Length..]);
            Values.Written.CopyTo(destination[(_prefix.Length + Positions.Length)..]);
            return _prefix.Length + Positions.Length + Values.Length;
        }
    }

    private readonly record struct KeyHint(SpanBatch? Batch, Utf8Ref Key, int Id);
}
