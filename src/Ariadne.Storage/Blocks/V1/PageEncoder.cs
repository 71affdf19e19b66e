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

        var headerLength = 2 + (_columns.Length * 4);
        var total = headerLength;
        foreach (var column in _columns)
        {
            total += column.Length;
        }

        var payload = new byte[total];
        BinaryPrimitives.WriteUInt16LittleEndian(payload, (ushort)_columns.Length);
        var position = headerLength;
        for (var i = 0; i < _columns.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(payload.AsSpan(2 + (i * 4)), _columns[i].Length);
            _columns[i].Written.CopyTo(payload.AsSpan(position));
            position += _columns[i].Length;
        }

        return payload;
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
        WriteAttributes(batch, row.Attributes);

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
        _resourceRows.Varint(resource.DroppedAttributesCount);
        _resourceRows.Varint((ulong)String(batch, resource.SchemaUrl));
        WriteAttributes(batch, resource.Attributes);
        return index;
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
}
