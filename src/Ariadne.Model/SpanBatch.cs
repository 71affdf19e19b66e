using System.Runtime.InteropServices;
using System.Text;

namespace Ariadne.Model;

/// <summary>
/// Spans in columnar-friendly form: fixed-size rows in tables, every string and byte value in one heap.
/// Decoders write into a batch directly, so a request costs no object per span; the ingest log writes
/// the tables as they are. Resources and scopes are shared by the spans that reference them.
/// </summary>
internal sealed class SpanBatch
{
    public RowTable<ResourceRow> Resources { get; }

    public RowTable<ScopeRow> Scopes { get; }

    public RowTable<SpanRow> Spans { get; }

    public RowTable<EventRow> Events { get; }

    public RowTable<LinkRow> Links { get; }

    /// <summary>Attributes of resources, scopes, spans, events and links; each owner holds a contiguous range.</summary>
    public RowTable<KeyValue> Attributes { get; }

    /// <summary>Entries of key-value-list values, at any depth.</summary>
    public RowTable<KeyValue> NestedAttributes { get; }

    /// <summary>Elements of array values, at any depth.</summary>
    public RowTable<AnyValue> ArrayValues { get; }

    /// <summary>
    /// An empty batch; for a request of <paramref name="requestBytes"/>, its heap is made that size at
    /// once: every string and byte value a decoder stores comes out of the request at no more than its
    /// size there, so the heap never grows.
    /// </summary>
    public SpanBatch(int requestBytes = 0)
    {
        Resources = new();
        Scopes = new();
        Spans = new();
        Events = new();
        Links = new();
        Attributes = new();
        NestedAttributes = new();
        ArrayValues = new();
        Heap = new(Math.Max(0, requestBytes));
    }

    private SpanBatch(SpanBatch source)
    {
        Resources = new(source.Resources.Rows);
        Scopes = new(source.Scopes.Rows);
        Spans = new(source.Spans.Rows);
        Events = new(source.Events.Rows);
        Links = new(source.Links.Rows);
        Attributes = new(source.Attributes.Rows);
        NestedAttributes = new(source.NestedAttributes.Rows);
        ArrayValues = new(source.ArrayValues.Rows);
        Heap = new(source.Heap.Rows);
    }

    /// <summary>
    /// A copy with every table exactly as large as its rows: one allocation and one copy per table. A
    /// decoder fills a reused batch, whose tables have grown to fit any request, and what is kept
    /// afterwards is this copy, so a request costs neither the tables' growth nor their spare room.
    /// </summary>
    public SpanBatch ExactCopy() => new(this);

    /// <summary>UTF-8 strings and byte values.</summary>
    public RowTable<byte> Heap { get; }

    public int SpanCount => Spans.Count;

    public Utf8Ref AddString(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return default;
        }

        return new Utf8Ref(Heap.AddRange(utf8), utf8.Length);
    }

    public Utf8Ref AddString(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return default;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        var start = Heap.Reserve(length);
        Encoding.UTF8.GetBytes(value, Heap.Rows.Slice(start, length));
        return new Utf8Ref(start, length);
    }

    public ReadOnlySpan<byte> Utf8(Utf8Ref value) => Heap.Rows.Slice(value.Offset, value.Length);

    public string GetString(Utf8Ref value) => value.Length == 0 ? string.Empty : Encoding.UTF8.GetString(Utf8(value));

    public bool StringEquals(Utf8Ref value, ReadOnlySpan<byte> utf8) => Utf8(value).SequenceEqual(utf8);

    public ReadOnlySpan<KeyValue> AttributesOf(RowRange range) => Attributes.Rows.Slice(range.Start, range.Count);

    public ReadOnlySpan<KeyValue> EntriesOf(AnyValue keyValueList) => NestedAttributes.Rows.Slice(keyValueList.Offset, keyValueList.Length);

    public ReadOnlySpan<AnyValue> ElementsOf(AnyValue array) => ArrayValues.Rows.Slice(array.Offset, array.Length);

    public ref ScopeRow ScopeOf(in SpanRow span) => ref Scopes[span.ScopeIndex];

    public ref ResourceRow ResourceOf(in SpanRow span) => ref Resources[Scopes[span.ScopeIndex].ResourceIndex];

    /// <summary>Finds a string attribute by key among the given attributes (e.g. service.name of a resource).</summary>
    public bool TryGetString(RowRange attributes, ReadOnlySpan<byte> key, out Utf8Ref value)
    {
        foreach (ref readonly var kv in AttributesOf(attributes))
        {
            if (kv.Value.Kind == ValueKind.String && StringEquals(kv.Key, key))
            {
                value = kv.Value.StringRef;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>The resource's <c>service.name</c>, or the empty reference when absent.</summary>
    public Utf8Ref ServiceNameOf(in SpanRow span) =>
        TryGetString(ResourceOf(span).Attributes, "service.name"u8, out var name) ? name : default;

    /// <summary>Removes spans whose <see cref="SpanRow.Defect"/> is set, keeping the order of the rest.</summary>
    public int RemoveDefectiveSpans()
    {
        var rows = Spans.Rows;
        var kept = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            if (rows[i].Defect == SpanDefect.None)
            {
                rows[kept++] = rows[i];
            }
        }

        var removed = rows.Length - kept;
        Spans.Truncate(kept);
        return removed;
    }

    /// <summary>Removes the spans whose flag is set in <paramref name="remove"/> (one per span row), keeping the order of the rest.</summary>
    public int RemoveSpans(ReadOnlySpan<bool> remove)
    {
        var rows = Spans.Rows;
        if (remove.Length != rows.Length)
        {
            ThrowHelper.ThrowArgument(nameof(remove), "One flag per span is needed.");
        }

        var kept = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            if (!remove[i])
            {
                rows[kept++] = rows[i];
            }
        }

        var removed = rows.Length - kept;
        Spans.Truncate(kept);
        return removed;
    }

    public void Clear()
    {
        Resources.Clear();
        Scopes.Clear();
        Spans.Clear();
        Events.Clear();
        Links.Clear();
        Attributes.Clear();
        NestedAttributes.Clear();
        ArrayValues.Clear();
        Heap.Clear();
    }

    /// <summary>Bytes the batch's tables have room for, used or not.</summary>
    public long CapacityBytes => TableBytes(spare: true);

    /// <summary>Bytes the batch's tables occupy, a rough measure for limits and memory accounting.</summary>
    public long ApproximateSize => TableBytes(spare: false);

    private long TableBytes(bool spare) =>
        Bytes(Resources, spare) + Bytes(Scopes, spare) + Bytes(Spans, spare) + Bytes(Events, spare) + Bytes(Links, spare)
        + Bytes(Attributes, spare) + Bytes(NestedAttributes, spare) + Bytes(ArrayValues, spare) + Bytes(Heap, spare);

    private static long Bytes<T>(RowTable<T> table, bool spare)
        where T : unmanaged => (spare ? table.Capacity : table.Count) * (long)Marshal.SizeOf<T>();
}
