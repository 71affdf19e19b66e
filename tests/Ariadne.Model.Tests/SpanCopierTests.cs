using Ariadne.Model;

namespace Ariadne.Model.Tests;

public class SpanCopierTests
{
    [Fact]
    public void CopySpan_NestedValuesAndSharedResource_AreCopiedDeeplyAndOnce()
    {
        var source = new SpanBatch();
        var resourceAttrs = source.Attributes.Reserve(1);
        source.Attributes[resourceAttrs] = new KeyValue(source.AddString("service.name"), AnyValue.FromString(source.AddString("cart")));
        var resource = source.Resources.Add(new ResourceRow { Attributes = new RowRange(resourceAttrs, 1) });
        var scope = source.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = source.AddString("lib") });

        var inner = source.NestedAttributes.Reserve(1);
        var elements = source.ArrayValues.Reserve(2);
        source.ArrayValues[elements] = AnyValue.FromInt(7);
        source.ArrayValues[elements + 1] = AnyValue.FromString(source.AddString("x"));
        source.NestedAttributes[inner] = new KeyValue(source.AddString("list"), AnyValue.FromArray(new RowRange(elements, 2)));
        var spanAttrs = source.Attributes.Reserve(1);
        source.Attributes[spanAttrs] = new KeyValue(source.AddString("map"), AnyValue.FromKeyValueList(new RowRange(inner, 1)));

        for (var i = 1; i <= 2; i++)
        {
            source.Spans.Add(new SpanRow
            {
                TraceId = new TraceId(1, 2),
                SpanId = new SpanId((ulong)i),
                ScopeIndex = scope,
                Name = source.AddString($"op{i}"),
                Attributes = new RowRange(spanAttrs, 1),
            });
        }

        var destination = new SpanBatch();
        destination.AddString("padding so offsets differ");
        var copier = new SpanCopier(destination);
        copier.CopySpan(source, 1);
        copier.CopySpan(source, 0);

        Assert.Equal(1, destination.Resources.Count);
        Assert.Equal(1, destination.Scopes.Count);
        Assert.Equal("op2", destination.GetString(destination.Spans[0].Name));
        Assert.Equal("cart", destination.GetString(destination.ServiceNameOf(destination.Spans[1])));
        var map = destination.AttributesOf(destination.Spans[0].Attributes)[0];
        Assert.Equal("map", destination.GetString(map.Key));
        var entry = destination.EntriesOf(map.Value)[0];
        Assert.Equal("list", destination.GetString(entry.Key));
        var list = destination.ElementsOf(entry.Value);
        Assert.Equal(7, list[0].IntValue);
        Assert.Equal("x", destination.GetString(list[1].StringRef));
    }

    [Fact]
    public void CopySpan_ArrayOfArrays_SurvivesTableGrowthDuringTheCopy()
    {
        var source = new SpanBatch();
        var resource = source.Resources.Add(default);
        var scope = source.Scopes.Add(new ScopeRow { ResourceIndex = resource });

        // An array whose single element is an array of 100 ints: copying the inner array grows the table.
        var inner = source.ArrayValues.Reserve(100);
        for (var i = 0; i < 100; i++)
        {
            source.ArrayValues[inner + i] = AnyValue.FromInt(i);
        }

        var outer = source.ArrayValues.Add(AnyValue.FromArray(new RowRange(inner, 100)));
        var attrs = source.Attributes.Add(new KeyValue(source.AddString("nested"), AnyValue.FromArray(new RowRange(outer, 1))));
        source.Spans.Add(new SpanRow { TraceId = new TraceId(1, 1), SpanId = new SpanId(1), ScopeIndex = scope, Attributes = new RowRange(attrs, 1) });

        var destination = new SpanBatch();
        new SpanCopier(destination).CopySpan(source, 0);

        var copiedOuter = destination.ElementsOf(destination.AttributesOf(destination.Spans[0].Attributes)[0].Value);
        var copiedInner = destination.ElementsOf(copiedOuter[0]);
        Assert.Equal(ValueKind.Array, copiedOuter[0].Kind);
        Assert.Equal(100, copiedInner.Length);
        Assert.Equal(99, copiedInner[99].IntValue);
    }
}
