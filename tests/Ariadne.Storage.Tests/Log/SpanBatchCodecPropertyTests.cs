using Ariadne.Model;
using Ariadne.Storage.Log;
using FsCheck;
using FsCheck.Fluent;

namespace Ariadne.Storage.Tests.Log;

public class SpanBatchCodecPropertyTests
{
    private static readonly byte[] Encoded = Encode(TestBatches.Create(new TraceId(3, 4), 4));

    private static byte[] Encode(SpanBatch batch)
    {
        var bytes = new byte[SpanBatchCodec.GetEncodedLength(batch)];
        SpanBatchCodec.Encode(batch, bytes);
        return bytes;
    }

    [Fact]
    public void TryDecode_AnyBytesOverwritten_RefusesOrGivesABatchWhoseReferencesResolve()
    {
        var damage = from offset in Gen.Choose(0, Encoded.Length - 1)
                     from value in Gen.Choose(0, 255)
                     from width in Gen.Choose(1, 8)
                     select (offset, value, width);
        Prop.ForAll(damage.ToArbitrary(), d =>
        {
            var bytes = (byte[])Encoded.Clone();
            bytes.AsSpan(d.offset, Math.Min(d.width, bytes.Length - d.offset)).Fill((byte)d.value);
            if (!SpanBatchCodec.TryDecode(bytes, out var batch, out _))
            {
                return true;
            }

            // Whatever was accepted must be safe to read in full.
            var copy = new SpanBatch();
            var copier = new SpanCopier(copy);
            for (var i = 0; i < batch!.SpanCount; i++)
            {
                copier.CopySpan(batch, i);
                _ = batch.GetString(batch.Spans[i].Name);
            }

            return copy.SpanCount == batch.SpanCount;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void TryDecode_AnyTruncation_IsRefused()
    {
        Prop.ForAll(Gen.Choose(0, Encoded.Length - 1).ToArbitrary(), length => !SpanBatchCodec.TryDecode(Encoded.AsSpan(0, length), out _, out _))
            .QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Encode_ThenDecode_EmptyValuesAndDeepNesting_RoundTrip()
    {
        var batch = TestBatches.Create(new TraceId(1, 2), 1);
        var inner = batch.ArrayValues.Reserve(2);
        batch.ArrayValues[inner] = AnyValue.Empty;
        batch.ArrayValues[inner + 1] = AnyValue.FromString(batch.AddString("deep"));
        var entries = batch.NestedAttributes.Reserve(1);
        batch.NestedAttributes[entries] = new KeyValue(batch.AddString("inner"), AnyValue.FromArray(new RowRange(inner, 2)));
        var attrs = batch.Attributes.Reserve(2);
        batch.Attributes[attrs] = new KeyValue(batch.AddString("empty"), AnyValue.Empty);
        batch.Attributes[attrs + 1] = new KeyValue(batch.AddString("outer"), AnyValue.FromKeyValueList(new RowRange(entries, 1)));
        batch.Spans[0].Attributes = new RowRange(attrs, 2);

        Assert.True(SpanBatchCodec.TryDecode(Encode(batch), out var decoded, out var error), error);
        var outer = decoded!.AttributesOf(decoded.Spans[0].Attributes)[1].Value;
        var nested = decoded.EntriesOf(outer)[0].Value;
        Assert.Equal(ValueKind.Array, nested.Kind);
        Assert.Equal(ValueKind.Empty, decoded.ElementsOf(nested)[0].Kind);
        Assert.Equal("deep", decoded.GetString(decoded.ElementsOf(nested)[1].StringRef));
        Assert.Equal(ValueKind.Empty, decoded.AttributesOf(decoded.Spans[0].Attributes)[0].Value.Kind);
    }
}
