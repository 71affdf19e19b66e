using Ariadne.Model;

namespace Ariadne.Storage.Tests;

/// <summary>Batches for storage tests, with every kind of row the codec must carry.</summary>
internal static class TestBatches
{
    public static SpanBatch Create(TraceId traceId, int spans, ulong firstSpanId = 1, string service = "checkout")
    {
        var batch = new SpanBatch();
        var resourceAttrs = batch.Attributes.Reserve(1);
        batch.Attributes[resourceAttrs] = new KeyValue(batch.AddString("service.name"), AnyValue.FromString(batch.AddString(service)));
        var resource = batch.Resources.Add(new ResourceRow { Attributes = new RowRange(resourceAttrs, 1), SchemaUrl = batch.AddString("https://example/schema") });
        var scope = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = batch.AddString("lib"), Version = batch.AddString("1.0") });
        for (var i = 0; i < spans; i++)
        {
            var elements = batch.ArrayValues.Reserve(2);
            batch.ArrayValues[elements] = AnyValue.FromInt(i);
            batch.ArrayValues[elements + 1] = AnyValue.FromDouble(0.5);
            var entries = batch.NestedAttributes.Reserve(1);
            batch.NestedAttributes[entries] = new KeyValue(batch.AddString("k"), AnyValue.FromBytes(batch.AddString([1, 2, 3])));
            var attrs = batch.Attributes.Reserve(3);
            batch.Attributes[attrs] = new KeyValue(batch.AddString("index"), AnyValue.FromInt(i));
            batch.Attributes[attrs + 1] = new KeyValue(batch.AddString("list"), AnyValue.FromArray(new RowRange(elements, 2)));
            batch.Attributes[attrs + 2] = new KeyValue(batch.AddString("map"), AnyValue.FromKeyValueList(new RowRange(entries, 1)));
            var eventAttrs = batch.Attributes.Add(new KeyValue(batch.AddString("e"), AnyValue.FromBool(true)));
            var e = batch.Events.Add(new EventRow { Name = batch.AddString("event"), TimeUnixNano = 5, Attributes = new RowRange(eventAttrs, 1) });
            var link = batch.Links.Add(new LinkRow { TraceId = new TraceId(9, 9), SpanId = new SpanId(9), TraceState = batch.AddString("a=b") });
            batch.Spans.Add(new SpanRow
            {
                TraceId = traceId,
                SpanId = new SpanId(firstSpanId + (ulong)i),
                ParentSpanId = i == 0 ? default : new SpanId(firstSpanId),
                Name = batch.AddString($"op {i}"),
                ScopeIndex = scope,
                StartTimeUnixNano = 1000,
                EndTimeUnixNano = 2000 + (ulong)i,
                Kind = SpanKind.Server,
                StatusCode = StatusCode.Error,
                StatusMessage = batch.AddString("failed"),
                Attributes = new RowRange(attrs, 3),
                Events = new RowRange(e, 1),
                Links = new RowRange(link, 1),
                Flags = 1,
            });
        }

        return batch;
    }
}
