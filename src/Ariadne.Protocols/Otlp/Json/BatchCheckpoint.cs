using Ariadne.Model;

namespace Ariadne.Protocols.Otlp.Json;

/// <summary>
/// The row counts of a batch before a request was decoded into it, so a request that fails half-way
/// leaves nothing behind: the caller may have appended earlier requests it still wants to keep.
/// </summary>
internal readonly struct BatchCheckpoint
{
    private readonly int _resources;
    private readonly int _scopes;
    private readonly int _spans;
    private readonly int _events;
    private readonly int _links;
    private readonly int _attributes;
    private readonly int _nestedAttributes;
    private readonly int _arrayValues;
    private readonly int _heap;

    public BatchCheckpoint(SpanBatch batch)
    {
        _resources = batch.Resources.Count;
        _scopes = batch.Scopes.Count;
        _spans = batch.Spans.Count;
        _events = batch.Events.Count;
        _links = batch.Links.Count;
        _attributes = batch.Attributes.Count;
        _nestedAttributes = batch.NestedAttributes.Count;
        _arrayValues = batch.ArrayValues.Count;
        _heap = batch.Heap.Count;
    }

    public void RollBack(SpanBatch batch)
    {
        batch.Resources.Truncate(_resources);
        batch.Scopes.Truncate(_scopes);
        batch.Spans.Truncate(_spans);
        batch.Events.Truncate(_events);
        batch.Links.Truncate(_links);
        batch.Attributes.Truncate(_attributes);
        batch.NestedAttributes.Truncate(_nestedAttributes);
        batch.ArrayValues.Truncate(_arrayValues);
        batch.Heap.Truncate(_heap);
    }
}
