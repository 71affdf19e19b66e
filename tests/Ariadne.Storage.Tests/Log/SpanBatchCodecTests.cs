using System.Buffers.Binary;
using Ariadne.Model;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Tests.Log;

public class SpanBatchCodecTests
{
    private static byte[] Encode(SpanBatch batch)
    {
        var bytes = new byte[SpanBatchCodec.GetEncodedLength(batch)];
        Assert.Equal(bytes.Length, SpanBatchCodec.Encode(batch, bytes));
        return bytes;
    }

    [Fact]
    public void Encode_ThenDecode_GivesTheSameTables()
    {
        var batch = TestBatches.Create(new TraceId(1, 2), 5);
        Assert.True(SpanBatchCodec.TryDecode(Encode(batch), out var decoded, out var error), error);
        Assert.Equal(batch.Spans.Rows.ToArray(), decoded!.Spans.Rows.ToArray());
        Assert.Equal(batch.Heap.Rows.ToArray(), decoded.Heap.Rows.ToArray());
        Assert.Equal(batch.ArrayValues.Rows.ToArray(), decoded.ArrayValues.Rows.ToArray());
        Assert.Equal("op 4", decoded.GetString(decoded.Spans[4].Name));
        Assert.Equal("checkout", decoded.GetString(decoded.ServiceNameOf(decoded.Spans[0])));
    }

    [Fact]
    public void TryDecode_ReferenceOutsideTheHeap_IsRefused()
    {
        var batch = TestBatches.Create(new TraceId(1, 2), 1);
        batch.Spans[0].Name = new Utf8Ref(batch.Heap.Count - 1, 10);
        Assert.False(SpanBatchCodec.TryDecode(Encode(batch), out _, out var error));
        Assert.Contains("span", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_ValueThatContainsItself_IsRefused()
    {
        var batch = TestBatches.Create(new TraceId(1, 2), 1);
        var self = batch.NestedAttributes.Reserve(1);
        batch.NestedAttributes[self] = new KeyValue(batch.AddString("loop"), AnyValue.FromKeyValueList(new RowRange(self, 1)));
        batch.Attributes.Add(new KeyValue(batch.AddString("cycle"), AnyValue.FromKeyValueList(new RowRange(self, 1))));
        batch.Spans[0].Attributes = new RowRange(batch.Attributes.Count - 1, 1);
        Assert.False(SpanBatchCodec.TryDecode(Encode(batch), out _, out _));
    }

    [Fact]
    public void TryDecode_WrongLengthOrRowSize_IsRefused()
    {
        var bytes = Encode(TestBatches.Create(new TraceId(1, 2), 2));
        Assert.False(SpanBatchCodec.TryDecode(bytes.AsSpan(0, bytes.Length - 1), out _, out _));
        var wrongRowSize = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(wrongRowSize.AsSpan(4 + 4), 3);
        Assert.False(SpanBatchCodec.TryDecode(wrongRowSize, out _, out _));
        Assert.False(SpanBatchCodec.TryDecode([1, 0], out _, out _));
    }
}
