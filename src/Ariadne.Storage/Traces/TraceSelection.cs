namespace Ariadne.Storage.Traces;

/// <summary>
/// Some traces of one head, named by their slots in it, with how many spans each holds. Choosing
/// traces this way decodes nothing: <see cref="ITraceIndex.SpansOf"/> decodes the batches of a
/// selection when it is written, so a cut can take a large head a slice at a time.
/// </summary>
internal sealed class TraceSelection
{
    private readonly List<(int Slot, int Spans)> _traces = [];

    public int TraceCount => _traces.Count;

    public long SpanCount { get; private set; }

    /// <summary>The selected traces in the order they were added.</summary>
    public IReadOnlyList<(int Slot, int Spans)> Traces => _traces;

    public void Add(int slot, int spans)
    {
        _traces.Add((slot, spans));
        SpanCount += spans;
    }

    public void AddRange(TraceSelection other)
    {
        _traces.AddRange(other._traces);
        SpanCount += other.SpanCount;
    }

    public void Clear()
    {
        _traces.Clear();
        SpanCount = 0;
    }

    /// <summary>
    /// The traces in order, in slices of whole traces holding at most <paramref name="maxSpans"/> spans
    /// each; a trace larger than that is a slice of its own. With 0, or when everything fits, one slice.
    /// </summary>
    public List<TraceSelection> Slices(long maxSpans)
    {
        if (maxSpans <= 0 || SpanCount <= maxSpans)
        {
            return _traces.Count == 0 ? [] : [this];
        }

        var slices = new List<TraceSelection>();
        var current = new TraceSelection();
        foreach (var (slot, spans) in _traces)
        {
            if (current.TraceCount > 0 && current.SpanCount + spans > maxSpans)
            {
                slices.Add(current);
                current = new TraceSelection();
            }

            current.Add(slot, spans);
        }

        slices.Add(current);
        return slices;
    }
}
