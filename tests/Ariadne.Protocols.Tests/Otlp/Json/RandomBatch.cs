using Ariadne.Model;

namespace Ariadne.Protocols.Tests.Otlp.Json;

/// <summary>
/// Builds batches straight in the model, with the edges JSON has to carry: every value kind nested
/// in every other, escapes, astral characters and control characters in strings, extreme integers and
/// doubles, ids in all ranges, and spans of one scope spread across the batch rather than contiguous.
/// </summary>
internal static class RandomBatch
{
    private static readonly string[] Texts =
    [
        "", "service.name", "GET /api/orders/{id}", "ünïcødé ✓", "a\"quote\\and\nnewline\ttab", "<script>&amp;'", "\u0001\u001f control",
        "emoji 😀 𝄞", "slash/and\\/back", "日本語のテキスト", new string('x', 300),
    ];

    private static readonly double[] Doubles =
    [
        0.0, -0.0, 1.5, -2.25e-300, double.MaxValue, double.MinValue, double.Epsilon, Math.PI, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e21, 123456789.125,
    ];

    private static readonly long[] Longs = [0, 1, -1, long.MaxValue, long.MinValue, 9007199254740993, 200, -9007199254740993];

    private static readonly ulong[] Times = [0, 1, 1_700_000_000_123_456_789, ulong.MaxValue, (ulong)long.MaxValue + 1];

    private static readonly uint[] Counts = [0, 0, 0, 1, 7, uint.MaxValue];

    public static SpanBatch Create(int seed, int size)
    {
        var random = new Random(seed);
        var batch = new SpanBatch();
        var resourceCount = random.Next(1, 4);
        for (var r = 0; r < resourceCount; r++)
        {
            batch.Resources.Add(new ResourceRow
            {
                Attributes = Attributes(random, batch, random.Next(0, 6)),
                DroppedAttributesCount = Pick(random, Counts),
                SchemaUrl = batch.AddString(random.Next(2) == 0 ? string.Empty : "https://opentelemetry.io/schemas/1.26.0"),
            });
        }

        var scopeCount = random.Next(1, 5);
        for (var s = 0; s < scopeCount; s++)
        {
            batch.Scopes.Add(new ScopeRow
            {
                ResourceIndex = random.Next(resourceCount),
                Name = batch.AddString(Pick(random, Texts)),
                Version = batch.AddString(random.Next(2) == 0 ? string.Empty : "1.2.3"),
                Attributes = Attributes(random, batch, random.Next(0, 3)),
                DroppedAttributesCount = Pick(random, Counts),
                SchemaUrl = batch.AddString(random.Next(3) == 0 ? "https://example.com/s" : string.Empty),
            });
        }

        var spanCount = random.Next(1, Math.Max(2, size));
        for (var i = 0; i < spanCount; i++)
        {
            var events = new RowRange(batch.Events.Count, random.Next(0, 3));
            for (var e = 0; e < events.Count; e++)
            {
                batch.Events.Add(new EventRow
                {
                    TimeUnixNano = Pick(random, Times),
                    Name = batch.AddString(Pick(random, Texts)),
                    Attributes = Attributes(random, batch, random.Next(0, 3)),
                    DroppedAttributesCount = Pick(random, Counts),
                });
            }

            var links = new RowRange(batch.Links.Count, random.Next(0, 3));
            for (var l = 0; l < links.Count; l++)
            {
                batch.Links.Add(new LinkRow
                {
                    TraceId = new TraceId((ulong)random.NextInt64(), (ulong)random.NextInt64() | 1),
                    SpanId = new SpanId((ulong)random.NextInt64() | 1),
                    TraceState = batch.AddString(random.Next(2) == 0 ? string.Empty : "congo=t61rcWkgMzE"),
                    Attributes = Attributes(random, batch, random.Next(0, 2)),
                    DroppedAttributesCount = Pick(random, Counts),
                    Flags = Pick(random, Counts),
                });
            }

            var start = Pick(random, Times);
            batch.Spans.Add(new SpanRow
            {
                TraceId = new TraceId(random.Next(2) == 0 ? 0 : (ulong)random.NextInt64(), (ulong)random.NextInt64() | 1),
                SpanId = new SpanId(random.Next(4) == 0 ? ulong.MaxValue : (ulong)random.NextInt64() | 1),
                ParentSpanId = random.Next(2) == 0 ? default : new SpanId((ulong)random.NextInt64() | 1),
                StartTimeUnixNano = start,
                EndTimeUnixNano = start == ulong.MaxValue ? start : start + (ulong)random.Next(0, int.MaxValue),
                ScopeIndex = random.Next(scopeCount),
                TraceState = batch.AddString(random.Next(3) == 0 ? "a=1,b=2" : string.Empty),
                Name = batch.AddString(Pick(random, Texts)),
                StatusMessage = batch.AddString(random.Next(3) == 0 ? Pick(random, Texts) : string.Empty),
                Attributes = Attributes(random, batch, random.Next(0, 12)),
                Events = events,
                Links = links,
                Flags = Pick(random, Counts),
                DroppedAttributesCount = Pick(random, Counts),
                DroppedEventsCount = Pick(random, Counts),
                DroppedLinksCount = Pick(random, Counts),
                Kind = (SpanKind)random.Next(0, 6),
                StatusCode = (StatusCode)random.Next(0, 3),
            });
        }

        return batch;
    }

    private static T Pick<T>(Random random, T[] choices) => choices[random.Next(choices.Length)];

    /// <summary>Values are built first, so the owner's entries are added last as one run.</summary>
    private static RowRange Attributes(Random random, SpanBatch batch, int count)
    {
        var entries = new KeyValue[count];
        for (var i = 0; i < count; i++)
        {
            entries[i] = new KeyValue(batch.AddString(Pick(random, Texts)), Value(random, batch, depth: 3));
        }

        return new RowRange(batch.Attributes.AddRange(entries), count);
    }

    private static AnyValue Value(Random random, SpanBatch batch, int depth)
    {
        switch (random.Next(depth > 0 ? 9 : 7))
        {
            case 0:
                return AnyValue.FromString(batch.AddString(Pick(random, Texts)));
            case 1:
                return AnyValue.FromBool(random.Next(2) == 0);
            case 2:
                return AnyValue.FromInt(random.Next(2) == 0 ? Pick(random, Longs) : random.NextInt64(long.MinValue, long.MaxValue));
            case 3:
                return AnyValue.FromDouble(random.Next(2) == 0 ? Pick(random, Doubles) : BitConverter.Int64BitsToDouble(random.NextInt64() & 0x7FEF_FFFF_FFFF_FFFF));
            case 4:
            {
                var bytes = new byte[random.Next(0, 20)];
                random.NextBytes(bytes);
                return AnyValue.FromBytes(batch.AddString(bytes));
            }

            case 5:
                return AnyValue.Empty;
            case 6:
                return AnyValue.FromString(default);
            case 7:
            {
                var elements = new AnyValue[random.Next(0, 4)];
                for (var i = 0; i < elements.Length; i++)
                {
                    elements[i] = Value(random, batch, depth - 1);
                }

                return AnyValue.FromArray(new RowRange(batch.ArrayValues.AddRange(elements), elements.Length));
            }

            default:
            {
                var entries = new KeyValue[random.Next(0, 4)];
                for (var i = 0; i < entries.Length; i++)
                {
                    entries[i] = new KeyValue(batch.AddString(Pick(random, Texts)), Value(random, batch, depth - 1));
                }

                return AnyValue.FromKeyValueList(new RowRange(batch.NestedAttributes.AddRange(entries), entries.Length));
            }
        }
    }
}
