using Ariadne.Model;

namespace Ariadne.Pipeline.Processors;

/// <summary>
/// Caps what one span may carry, as the OpenTelemetry SDKs' span limits do: attributes, events and
/// links beyond the limits are dropped and added to the span's dropped counts; string and bytes
/// values longer than <see cref="MaxAttributeValueLength"/> bytes are cut at a UTF-8 character
/// boundary. Applies to span, event and link attributes.
/// </summary>
internal sealed class SpanLimitsProcessor : ISpanProcessor
{
    public SpanLimitsProcessor(string id) => Id = id;

    public string Id { get; }

    public int MaxAttributesPerSpan { get; init; } = 128;

    public int MaxEventsPerSpan { get; init; } = 128;

    public int MaxLinksPerSpan { get; init; } = 128;

    public int MaxAttributesPerEventOrLink { get; init; } = 128;

    public int MaxAttributeValueLength { get; init; } = 4096;

    public int Process(SpanBatch batch, Span<bool> drop)
    {
        var modified = 0;
        var spans = batch.Spans.Rows;
        for (var i = 0; i < spans.Length; i++)
        {
            ref var span = ref spans[i];
            var changed = false;
            if (span.Attributes.Count > MaxAttributesPerSpan)
            {
                span.DroppedAttributesCount += (uint)(span.Attributes.Count - MaxAttributesPerSpan);
                span.Attributes = new RowRange(span.Attributes.Start, MaxAttributesPerSpan);
                changed = true;
            }

            if (span.Events.Count > MaxEventsPerSpan)
            {
                span.DroppedEventsCount += (uint)(span.Events.Count - MaxEventsPerSpan);
                span.Events = new RowRange(span.Events.Start, MaxEventsPerSpan);
                changed = true;
            }

            if (span.Links.Count > MaxLinksPerSpan)
            {
                span.DroppedLinksCount += (uint)(span.Links.Count - MaxLinksPerSpan);
                span.Links = new RowRange(span.Links.Start, MaxLinksPerSpan);
                changed = true;
            }

            changed |= Truncate(batch, span.Attributes);
            foreach (ref var e in batch.Events.Rows.Slice(span.Events.Start, span.Events.Count))
            {
                changed |= Cap(ref e.Attributes, ref e.DroppedAttributesCount);
                changed |= Truncate(batch, e.Attributes);
            }

            foreach (ref var link in batch.Links.Rows.Slice(span.Links.Start, span.Links.Count))
            {
                changed |= Cap(ref link.Attributes, ref link.DroppedAttributesCount);
                changed |= Truncate(batch, link.Attributes);
            }

            modified += changed ? 1 : 0;
        }

        return modified;
    }

    private bool Cap(ref RowRange attributes, ref uint dropped)
    {
        if (attributes.Count <= MaxAttributesPerEventOrLink)
        {
            return false;
        }

        dropped += (uint)(attributes.Count - MaxAttributesPerEventOrLink);
        attributes = new RowRange(attributes.Start, MaxAttributesPerEventOrLink);
        return true;
    }

    private bool Truncate(SpanBatch batch, RowRange attributes)
    {
        var changed = false;
        foreach (ref var kv in batch.Attributes.Rows.Slice(attributes.Start, attributes.Count))
        {
            if (kv.Value.Kind is ValueKind.String or ValueKind.Bytes && kv.Value.Length > MaxAttributeValueLength)
            {
                var bytes = batch.Utf8(kv.Value.StringRef);
                var length = kv.Value.Kind == ValueKind.String ? Utf8Prefix(bytes, MaxAttributeValueLength) : MaxAttributeValueLength;
                var cut = new Utf8Ref(kv.Value.Offset, length);
                kv.Value = kv.Value.Kind == ValueKind.String ? AnyValue.FromString(cut) : AnyValue.FromBytes(cut);
                changed = true;
            }
        }

        return changed;
    }

    /// <summary>The longest prefix of at most <paramref name="max"/> bytes that ends on a character boundary.</summary>
    public static int Utf8Prefix(ReadOnlySpan<byte> utf8, int max)
    {
        var length = Math.Min(max, utf8.Length);
        while (length > 0 && length < utf8.Length && (utf8[length] & 0xC0) == 0x80)
        {
            length--;
        }

        return length;
    }
}
