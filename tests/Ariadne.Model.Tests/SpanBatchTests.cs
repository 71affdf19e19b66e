using Ariadne.Model;

namespace Ariadne.Model.Tests;

public class SpanBatchTests
{
    [Fact]
    public void RowTable_GrowingFromEmpty_KeepsEveryRowWritten()
    {
        var table = new RowTable<long>();
        for (var i = 0; i < 1_000; i++)
        {
            table.Add(i * 3L);
        }

        table.EnsureCapacity(5_000);
        Assert.True(table.Capacity >= 5_000);
        Assert.Equal(1_000, table.Count);
        for (var i = 0; i < 1_000; i++)
        {
            Assert.Equal(i * 3L, table[i]);
        }
    }

    [Fact]
    public void RowTable_ReservedRows_AreZeroEvenAfterTruncatedRowsHeldOtherValues()
    {
        var table = new RowTable<long>(64);
        for (var i = 0; i < 64; i++)
        {
            table.Add(-1);
        }

        table.Truncate(10);
        var start = table.Reserve(40);
        Assert.Equal(10, start);
        Assert.All(table.Rows[10..].ToArray(), row => Assert.Equal(0, row));
    }

    [Fact]
    public void ExactCopy_HasEveryTableAtItsRowCount_AndIsIndependentOfTheSource()
    {
        var source = new SpanBatch(4_096);
        var attributes = source.Attributes.Reserve(2);
        source.Attributes[attributes] = new KeyValue(source.AddString("service.name"), AnyValue.FromString(source.AddString("cart")));
        var elements = source.ArrayValues.Reserve(1);
        source.ArrayValues[elements] = AnyValue.FromInt(7);
        source.NestedAttributes.Add(new KeyValue(source.AddString("n"), AnyValue.FromArray(new RowRange(elements, 1))));
        source.Attributes[attributes + 1] = new KeyValue(source.AddString("m"), AnyValue.FromKeyValueList(new RowRange(0, 1)));
        var resource = source.Resources.Add(new ResourceRow { Attributes = new RowRange(attributes, 1) });
        var scope = source.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = source.AddString("lib") });
        for (var i = 0; i < 20; i++)
        {
            source.Spans.Add(new SpanRow
            {
                TraceId = new TraceId(1, (ulong)i),
                SpanId = new SpanId((ulong)i + 1),
                ScopeIndex = scope,
                Name = source.AddString($"op{i}"),
                Attributes = new RowRange(attributes + 1, 1),
            });
        }

        source.Events.Add(new EventRow { Name = source.AddString("exception") });
        source.Links.Add(new LinkRow { TraceId = new TraceId(3, 4) });

        var copy = source.ExactCopy();

        Assert.Equal(source.Heap.Count, copy.Heap.Capacity);
        Assert.Equal(20, copy.Spans.Capacity);
        Assert.Equal(2, copy.Attributes.Capacity);
        Assert.Equal(copy.CapacityBytes, copy.ApproximateSize);
        Assert.True(source.CapacityBytes > copy.CapacityBytes);
        Assert.Equal("cart", copy.GetString(copy.ServiceNameOf(copy.Spans[7])));
        Assert.Equal("op7", copy.GetString(copy.Spans[7].Name));
        Assert.Equal(7, copy.ElementsOf(copy.EntriesOf(copy.AttributesOf(copy.Spans[7].Attributes)[0].Value)[0].Value)[0].IntValue);
        Assert.Equal("exception", copy.GetString(copy.Events[0].Name));
        Assert.Equal(new TraceId(3, 4), copy.Links[0].TraceId);

        // A reused decoding batch is cleared and refilled after the copy is taken.
        source.Clear();
        source.AddString("something else entirely, longer than the old heap's first strings");
        source.Spans.Add(new SpanRow { Name = source.AddString("other") });
        Assert.Equal(20, copy.SpanCount);
        Assert.Equal("op0", copy.GetString(copy.Spans[0].Name));
        Assert.Equal("cart", copy.GetString(copy.ServiceNameOf(copy.Spans[0])));
    }
}
