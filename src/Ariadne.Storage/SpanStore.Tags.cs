using System.Globalization;
using System.Text;
using Ariadne.Model;
using Ariadne.Storage.Blocks.V1;
using Ariadne.Storage.Search;

namespace Ariadne.Storage;

internal sealed partial class SpanStore
{
    /// <summary>
    /// Attribute keys of spans and of resources whose data overlaps [start, end] (Unix ns, 0 = unbounded):
    /// blocks answer from meta.json, the head from its spans.
    /// </summary>
    public (SortedSet<string> Span, SortedSet<string> Resource) TagNames(ulong startUnixNano, ulong endUnixNano)
    {
        var span = new SortedSet<string>(StringComparer.Ordinal);
        var resource = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var block in Volatile.Read(ref _blocks))
        {
            if (Overlaps(startUnixNano, endUnixNano, block.Meta.MinStartTimeUnixNano, block.Meta.MaxEndTimeUnixNano))
            {
                span.UnionWith(block.Meta.AttributeKeys);
                resource.UnionWith(block.Meta.ResourceAttributeKeys);
            }
        }

        var seenResources = new HashSet<(SpanBatch, int)>();
        foreach (var head in Heads())
        {
            foreach (var s in head.AllSpans())
            {
                ref readonly var row = ref s.Row;
                if (!Overlaps(startUnixNano, endUnixNano, row.StartTimeUnixNano, row.EndTimeUnixNano))
                {
                    continue;
                }

                foreach (ref readonly var kv in s.Batch.AttributesOf(row.Attributes))
                {
                    AddKey(span, s.Batch, kv.Key);
                }

                var resourceIndex = s.Batch.Scopes[row.ScopeIndex].ResourceIndex;
                if (seenResources.Add((s.Batch, resourceIndex)))
                {
                    foreach (ref readonly var kv in s.Batch.AttributesOf(s.Batch.Resources[resourceIndex].Attributes))
                    {
                        AddKey(resource, s.Batch, kv.Key);
                    }
                }
            }
        }

        return (span, resource);
    }

    /// <summary>
    /// Distinct values of the attribute <paramref name="key"/> in <paramref name="scope"/>, newest data
    /// first, until <paramref name="limit"/> values or <paramref name="maxPages"/> decoded block pages.
    /// Returns whether every place that could hold a value was read.
    /// </summary>
    public bool TagValues(AttributeScope scope, string key, ulong startUnixNano, ulong endUnixNano, int limit, int maxPages, SortedSet<TagValue> values, CancellationToken cancellationToken = default)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key);
        foreach (var head in Heads())
        {
            foreach (var s in head.AllSpans())
            {
                if (values.Count >= limit)
                {
                    return false;
                }

                if (Overlaps(startUnixNano, endUnixNano, s.Row.StartTimeUnixNano, s.Row.EndTimeUnixNano))
                {
                    CollectValues(s.Batch, s.Index, scope, keyBytes, values);
                }
            }
        }

        var exists = SpanPredicate.Exists(scope switch
        {
            AttributeScope.Span => SpanField.SpanAttribute,
            AttributeScope.Resource => SpanField.ResourceAttribute,
            _ => SpanField.AnyAttribute,
        }, key);
        var pagesRead = 0;
        var blocks = (BlockReaderV1[])Volatile.Read(ref _blocks).Clone();
        Array.Sort(blocks, static (a, b) => b.Meta.MaxEndTimeUnixNano.CompareTo(a.Meta.MaxEndTimeUnixNano));
        foreach (var block in blocks)
        {
            if (!Overlaps(startUnixNano, endUnixNano, block.Meta.MinStartTimeUnixNano, block.Meta.MaxEndTimeUnixNano) || !exists.MayMatch(block.Meta))
            {
                continue;
            }

            for (var p = 0; p < block.PageCount; p++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (values.Count >= limit || pagesRead >= maxPages)
                {
                    return false;
                }

                if (!block.Pages[p].Overlaps(startUnixNano, endUnixNano))
                {
                    continue;
                }

                SpanBatch page;
                try
                {
                    var stored = block.ReadStoredPage(p);
                    if (!exists.MayMatchStrings(stored))
                    {
                        continue;
                    }

                    page = PageDecoder.Decode(stored.Payload());
                    pagesRead++;
                }
                catch (Exception e) when (e is InvalidDataException or IOException)
                {
                    QuarantineAtRuntime(block);
                    break;
                }
                catch (ObjectDisposedException)
                {
                    break;
                }

                for (var i = 0; i < page.SpanCount && values.Count < limit; i++)
                {
                    if (Overlaps(startUnixNano, endUnixNano, page.Spans[i].StartTimeUnixNano, page.Spans[i].EndTimeUnixNano))
                    {
                        CollectValues(page, i, scope, keyBytes, values);
                    }
                }
            }
        }

        return values.Count < limit;
    }

    private List<Traces.ITraceIndex> Heads()
    {
        var heads = new List<Traces.ITraceIndex>(2) { Volatile.Read(ref _head) };
        if (Volatile.Read(ref _beingFlushed) is { } beingFlushed)
        {
            heads.Add(beingFlushed);
        }

        return heads;
    }

    private static void CollectValues(SpanBatch batch, int index, AttributeScope scope, byte[] key, SortedSet<TagValue> values)
    {
        ref readonly var row = ref batch.Spans[index];
        if (scope != AttributeScope.Resource)
        {
            CollectValues(batch, row.Attributes, key, values);
        }

        if (scope != AttributeScope.Span)
        {
            CollectValues(batch, batch.Resources[batch.Scopes[row.ScopeIndex].ResourceIndex].Attributes, key, values);
        }
    }

    private static void CollectValues(SpanBatch batch, RowRange attributes, byte[] key, SortedSet<TagValue> values)
    {
        foreach (ref readonly var kv in batch.AttributesOf(attributes))
        {
            if (!batch.Utf8(kv.Key).SequenceEqual(key))
            {
                continue;
            }

            var value = kv.Value;
            TagValue? text = value.Kind switch
            {
                ValueKind.String => new TagValue("string", batch.GetString(value.StringRef)),
                ValueKind.Int => new TagValue("int", value.IntValue.ToString(CultureInfo.InvariantCulture)),
                ValueKind.Double => new TagValue("float", value.DoubleValue.ToString("R", CultureInfo.InvariantCulture)),
                ValueKind.Bool => new TagValue("bool", value.BoolValue ? "true" : "false"),
                _ => null,
            };
            if (text is { } t)
            {
                values.Add(t);
            }
        }
    }

    private static void AddKey(SortedSet<string> keys, SpanBatch batch, Utf8Ref key)
    {
        if (keys.Count < BlockWriterV1.MaxListedValues && !key.IsEmpty)
        {
            keys.Add(batch.GetString(key));
        }
    }
}
