using Ariadne.Model;

namespace Ariadne.Protocols.Otlp.Json;

/// <summary>
/// Per-thread working memory of the JSON decoder, reused across requests so a request allocates
/// nothing once the buffers have grown. Nested key-value lists and arrays are gathered here as stacks
/// (an inner list is finished and copied out before its parent's next entry is pushed), then copied
/// to the batch as one contiguous run. Buffers beyond a hard size are dropped after the request so
/// one huge request does not pin its memory for the life of the thread.
/// </summary>
internal sealed class JsonDecodeScratch
{
    private const int InitialRows = 64;
    private const int MaxRetainedRows = 16 * 1024;
    private const int InitialTextBytes = 1024;
    private const int MaxRetainedTextBytes = 256 * 1024;

    private KeyValue[] _entries = new KeyValue[InitialRows];
    private AnyValue[] _elements = new AnyValue[InitialRows];
    private byte[] _text = new byte[InitialTextBytes];

    public StringInterner Strings { get; } = new();

    public int EntryCount { get; private set; }

    public int ElementCount { get; private set; }

    public void Begin(SpanBatch batch)
    {
        Strings.Reset(batch);
        EntryCount = 0;
        ElementCount = 0;
    }

    public void End()
    {
        if (_entries.Length > MaxRetainedRows)
        {
            _entries = new KeyValue[InitialRows];
        }

        if (_elements.Length > MaxRetainedRows)
        {
            _elements = new AnyValue[InitialRows];
        }

        if (_text.Length > MaxRetainedTextBytes)
        {
            _text = new byte[InitialTextBytes];
        }
    }

    public void PushEntry(in KeyValue entry)
    {
        if (EntryCount == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        _entries[EntryCount++] = entry;
    }

    public void PushElement(AnyValue element)
    {
        if (ElementCount == _elements.Length)
        {
            Array.Resize(ref _elements, _elements.Length * 2);
        }

        _elements[ElementCount++] = element;
    }

    /// <summary>Moves the entries pushed since <paramref name="first"/> into the batch and pops them.</summary>
    public RowRange PopEntriesInto(RowTable<KeyValue> table, int first)
    {
        var count = EntryCount - first;
        var start = table.AddRange(_entries.AsSpan(first, count));
        EntryCount = first;
        return new RowRange(start, count);
    }

    /// <summary>Moves the elements pushed since <paramref name="first"/> into the batch and pops them.</summary>
    public RowRange PopElementsInto(RowTable<AnyValue> table, int first)
    {
        var count = ElementCount - first;
        var start = table.AddRange(_elements.AsSpan(first, count));
        ElementCount = first;
        return new RowRange(start, count);
    }

    /// <summary>A buffer for unescaping one string value of at most <paramref name="length"/> bytes.</summary>
    public Span<byte> Text(int length)
    {
        if (_text.Length < length)
        {
            _text = new byte[Math.Max(length, _text.Length * 2)];
        }

        return _text.AsSpan(0, length);
    }
}
