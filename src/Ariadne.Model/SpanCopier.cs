namespace Ariadne.Model;

/// <summary>
/// Copies spans from source batches into one destination batch, bringing their resource, scope,
/// attributes, events and links along. A resource or scope shared by several copied spans of the same
/// source is copied once. Used to assemble a trace from spans stored in many batches.
/// </summary>
internal sealed class SpanCopier
{
    private readonly Dictionary<(SpanBatch Source, int Index), int> _scopeMap = new();
    private readonly Dictionary<(SpanBatch Source, int Index), int> _resourceMap = new();

    public SpanCopier(SpanBatch destination) => Destination = destination;

    public SpanBatch Destination { get; }

    /// <summary>Forgets which resources and scopes were copied, for a destination that has just been cleared.</summary>
    public void Clear()
    {
        _scopeMap.Clear();
        _resourceMap.Clear();
    }

    public int CopySpan(SpanBatch source, int spanIndex)
    {
        var span = source.Spans[spanIndex];
        var dst = Destination;
        var copy = span;
        copy.ScopeIndex = MapScope(source, span.ScopeIndex);
        copy.TraceState = dst.AddString(source.Utf8(span.TraceState));
        copy.Name = dst.AddString(source.Utf8(span.Name));
        copy.StatusMessage = dst.AddString(source.Utf8(span.StatusMessage));
        copy.Attributes = CopyAttributes(source, span.Attributes);

        var events = source.Events.Rows.Slice(span.Events.Start, span.Events.Count);
        var eventStart = dst.Events.Reserve(events.Length);
        for (var i = 0; i < events.Length; i++)
        {
            var e = events[i];
            e.Name = dst.AddString(source.Utf8(e.Name));
            e.Attributes = CopyAttributes(source, e.Attributes);
            dst.Events[eventStart + i] = e;
        }

        copy.Events = new RowRange(eventStart, events.Length);

        var links = source.Links.Rows.Slice(span.Links.Start, span.Links.Count);
        var linkStart = dst.Links.Reserve(links.Length);
        for (var i = 0; i < links.Length; i++)
        {
            var l = links[i];
            l.TraceState = dst.AddString(source.Utf8(l.TraceState));
            l.Attributes = CopyAttributes(source, l.Attributes);
            dst.Links[linkStart + i] = l;
        }

        copy.Links = new RowRange(linkStart, links.Length);
        return dst.Spans.Add(copy);
    }

    private int MapScope(SpanBatch source, int scopeIndex)
    {
        if (_scopeMap.TryGetValue((source, scopeIndex), out var mapped))
        {
            return mapped;
        }

        var scope = source.Scopes[scopeIndex];
        var dst = Destination;
        scope.ResourceIndex = MapResource(source, scope.ResourceIndex);
        scope.Name = dst.AddString(source.Utf8(scope.Name));
        scope.Version = dst.AddString(source.Utf8(scope.Version));
        scope.SchemaUrl = dst.AddString(source.Utf8(scope.SchemaUrl));
        scope.Attributes = CopyAttributes(source, scope.Attributes);
        mapped = dst.Scopes.Add(scope);
        _scopeMap[(source, scopeIndex)] = mapped;
        return mapped;
    }

    private int MapResource(SpanBatch source, int resourceIndex)
    {
        if (_resourceMap.TryGetValue((source, resourceIndex), out var mapped))
        {
            return mapped;
        }

        var resource = source.Resources[resourceIndex];
        resource.SchemaUrl = Destination.AddString(source.Utf8(resource.SchemaUrl));
        resource.Attributes = CopyAttributes(source, resource.Attributes);
        mapped = Destination.Resources.Add(resource);
        _resourceMap[(source, resourceIndex)] = mapped;
        return mapped;
    }

    private RowRange CopyAttributes(SpanBatch source, RowRange range)
    {
        var dst = Destination;
        var start = dst.Attributes.Reserve(range.Count);
        for (var i = 0; i < range.Count; i++)
        {
            var kv = source.Attributes[range.Start + i];
            // Build the row first: copying the value grows tables, which would leave a ref taken earlier dangling.
            var row = new KeyValue(dst.AddString(source.Utf8(kv.Key)), CopyValue(source, kv.Value));
            dst.Attributes[start + i] = row;
        }

        return new RowRange(start, range.Count);
    }

    private AnyValue CopyValue(SpanBatch source, AnyValue value)
    {
        var dst = Destination;
        switch (value.Kind)
        {
            case ValueKind.String:
                return AnyValue.FromString(dst.AddString(source.Utf8(value.StringRef)));
            case ValueKind.Bytes:
                return AnyValue.FromBytes(dst.AddString(source.Utf8(value.StringRef)));
            case ValueKind.Array:
            {
                // Reserve the elements first so nested values appended while copying stay out of this range.
                var start = dst.ArrayValues.Reserve(value.Length);
                for (var i = 0; i < value.Length; i++)
                {
                    var element = CopyValue(source, source.ArrayValues[value.Offset + i]);
                    dst.ArrayValues[start + i] = element;
                }

                return AnyValue.FromArray(new RowRange(start, value.Length));
            }

            case ValueKind.KeyValueList:
            {
                var start = dst.NestedAttributes.Reserve(value.Length);
                for (var i = 0; i < value.Length; i++)
                {
                    var kv = source.NestedAttributes[value.Offset + i];
                    var entry = new KeyValue(dst.AddString(source.Utf8(kv.Key)), CopyValue(source, kv.Value));
                    dst.NestedAttributes[start + i] = entry;
                }

                return AnyValue.FromKeyValueList(new RowRange(start, value.Length));
            }

            default:
                return value;
        }
    }
}
