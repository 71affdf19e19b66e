using Ariadne.Model;
using Ariadne.Storage.Blocks.V1;
using Ariadne.Storage.Compression;
using Ariadne.Storage.IO;
using Ariadne.Storage.Search;
using static Ariadne.Storage.Tests.Search.ScanFixture;

namespace Ariadne.Storage.Tests.Blocks;

/// <summary>
/// Columnar pages: each column compressed alone, frequent scalar span attributes in columns of their
/// own, and searches that judge a page on its columns without decoding its rows.
/// </summary>
public class ColumnarPageTests
{
    /// <summary>Adds the resource of service "svc" and a scope of it; returns the scope's index.</summary>
    private static int AddServiceScope(SpanBatch batch)
    {
        var resourceAttrs = batch.Attributes.Add(new KeyValue(batch.AddString("service.name"), AnyValue.FromString(batch.AddString("svc"))));
        var resource = batch.Resources.Add(new ResourceRow { Attributes = new RowRange(resourceAttrs, 1) });
        return batch.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = batch.AddString("lib") });
    }

    /// <summary>Spans whose attributes mix every case the dedicated columns must get right.</summary>
    private static SpanBatch MixedAttributes(int spans, int seed)
    {
        var random = new Random(seed);
        var batch = new SpanBatch();
        var scope = AddServiceScope(batch);
        for (var i = 0; i < spans; i++)
        {
            var start = batch.Attributes.Count;
            var count = i == 7 ? 300 : random.Next(0, 9);
            var used = new HashSet<string>();
            for (var a = 0; a < count; a++)
            {
                // "mixed" is an int on some spans and a string on others; "list" is an array; "dup"
                // appears twice on some spans; "k{n}" are many plain keys; the rest are common scalars.
                var pick = i == 7 ? 100 + a : random.Next(0, 12);
                var (key, value) = pick switch
                {
                    0 => ("http.response.status_code", AnyValue.FromInt(random.Next(200, 600))),
                    1 => ("http.route", AnyValue.FromString(batch.AddString("/r/" + random.Next(5)))),
                    2 => ("ok", AnyValue.FromBool(random.Next(2) == 0)),
                    3 => ("ratio", AnyValue.FromDouble(random.Next(2) == 0 ? 0.25 : Math.PI * random.Next(10))),
                    4 => ("mixed", random.Next(2) == 0 ? AnyValue.FromInt(5) : AnyValue.FromString(batch.AddString("five"))),
                    5 => ("list", AnyValue.FromArray(new RowRange(batch.ArrayValues.AddRange([AnyValue.FromInt(1), AnyValue.FromString(batch.AddString("two"))]), 2))),
                    6 => ("dup", AnyValue.FromInt(a)),
                    7 => ("bytes", AnyValue.FromBytes(batch.AddString(new byte[] { 1, 2, 3 }))),
                    >= 100 => ("k" + (pick - 100), AnyValue.FromInt(pick)),
                    _ => ("k" + random.Next(40), AnyValue.FromInt(random.Next(3))),
                };
                if (used.Add(key) || key == "dup")
                {
                    batch.Attributes.Add(new KeyValue(batch.AddString(key), value));
                }
            }

            batch.Spans.Add(new SpanRow
            {
                TraceId = new TraceId(1, (ulong)(i / 4) + 1),
                SpanId = new SpanId((ulong)i + 1),
                Name = batch.AddString("op" + (i % 3)),
                ScopeIndex = scope,
                StartTimeUnixNano = 1_000 + (ulong)i,
                EndTimeUnixNano = 2_000 + (ulong)i,
                Attributes = new RowRange(start, batch.Attributes.Count - start),
            });
        }

        return batch;
    }

    [Fact]
    public void BlockMeta_ListsSpanAttributeKeys_InFirstAppearanceOrder_UpToTheLimit_AcrossPages()
    {
        // The first page holds 600 keys that repeat; the second page brings a new key per span, so the
        // limit is reached there: exactly its first keys, in span order, fill the list.
        var spans = BlockWriterV1.TargetPageSpans + 2_000;
        var batch = new SpanBatch();
        var scope = AddServiceScope(batch);
        for (var i = 0; i < spans; i++)
        {
            var start = batch.Attributes.Count;
            batch.Attributes.Add(new KeyValue(batch.AddString("common"), AnyValue.FromInt(i)));
            var key = i < BlockWriterV1.TargetPageSpans ? $"a{i % 600:D4}" : $"b{i:D5}";
            batch.Attributes.Add(new KeyValue(batch.AddString(key), AnyValue.FromString(batch.AddString("v"))));
            if (i % 7 == 0)
            {
                batch.Attributes.Add(new KeyValue(default, AnyValue.FromInt(1)));
            }

            batch.Spans.Add(new SpanRow
            {
                TraceId = new TraceId(1, (ulong)i + 1),
                SpanId = new SpanId((ulong)i + 1),
                Name = batch.AddString("op"),
                ScopeIndex = scope,
                StartTimeUnixNano = 1_000 + (ulong)i,
                EndTimeUnixNano = 2_000 + (ulong)i,
                Attributes = new RowRange(start, batch.Attributes.Count - start),
            });
        }

        using var dir = new TempDirectory();
        var meta = BlockWriterV1.Write(FileSystemDevice.Instance, dir.Path, "t", Refs(batch), PageCodec.None);
        Assert.True(meta.PageCount >= 2);

        var firstB = BlockWriterV1.TargetPageSpans;
        var expected = new List<string> { "common" };
        expected.AddRange(Enumerable.Range(0, 600).Select(k => $"a{k:D4}"));
        expected.AddRange(Enumerable.Range(firstB, BlockWriterV1.MaxListedValues - expected.Count).Select(k => $"b{k:D5}"));
        expected.Sort(StringComparer.Ordinal);
        Assert.Equal(expected, meta.AttributeKeys);
    }

    private static List<SpanRef> Refs(SpanBatch batch) => Enumerable.Range(0, batch.SpanCount).Select(i => new SpanRef(batch, i)).ToList();

    private static string Describe(SpanBatch batch, int span)
    {
        var row = batch.Spans[span];
        return row.SpanId + ":" + string.Join(',', batch.AttributesOf(row.Attributes).ToArray().Select(kv => batch.GetString(kv.Key) + "=" + kv.Value.Kind + ":" + (kv.Value.Kind == ValueKind.String ? batch.GetString(kv.Value.StringRef) : kv.Value.Scalar.ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WriteThenRead_AttributesComeBackInTheirOrder_WithOrWithoutColumnarPages(bool wholePages)
    {
        using var dir = new TempDirectory();
        var batch = MixedAttributes(2_000, 7);
        var refs = Refs(batch);
        var meta = WriteAll(dir.Path, refs, wholePages);

        using var reader = BlockReaderV1.Open(FileSystemDevice.Instance, Path.Combine(dir.Path, meta.BlockId.ToString("N")));
        var stored = reader.ReadStoredPage(0);
        Assert.Equal(wholePages ? PageHeader.WholeVersion : PageHeader.ColumnsVersion, stored.Header.Version);
        var page = reader.ReadPage(0);
        var expected = Enumerable.Range(0, batch.SpanCount).Select(i => Describe(batch, i)).ToList();
        var actual = Enumerable.Range(0, page.SpanCount).Select(i => Describe(page, i)).ToList();
        Assert.Equal(expected, actual);
    }

    private static Ariadne.Storage.Blocks.BlockMeta WriteAll(string directory, List<SpanRef> spans, bool wholePages)
    {
        using var writer = new BlockWriterV1Factory(directory, wholePages).Writer;
        var all = spans.ToArray();
        for (var start = 0; start < all.Length;)
        {
            var end = start + 1;
            while (end < all.Length && all[end].Row.TraceId == all[start].Row.TraceId)
            {
                end++;
            }

            writer.AddTrace(all.AsSpan(start, end - start));
            start = end;
        }

        return writer.Complete();
    }

    private sealed class BlockWriterV1Factory(string directory, bool wholePages)
    {
        public BlockWriterV1 Writer { get; } = BlockWriterV1.Create(FileSystemDevice.Instance, directory, "t", PageCompressor.Preferred, 1_000, wholePages: wholePages);
    }

    [Fact]
    public void DedicatedColumns_HoldTheFrequentScalarKeys_NotArraysDuplicatesOrMixedOnes()
    {
        using var dir = new TempDirectory();
        var batch = MixedAttributes(2_000, 11);
        var meta = WriteAll(dir.Path, Refs(batch), wholePages: false);
        using var reader = BlockReaderV1.Open(FileSystemDevice.Instance, Path.Combine(dir.Path, meta.BlockId.ToString("N")));
        var page = reader.ReadStoredPage(0);

        Assert.True(page.FindDedicated("http.response.status_code"u8) >= 16);
        Assert.True(page.FindDedicated("http.route"u8) >= 16);
        Assert.True(page.FindDedicated("ok"u8) >= 16);
        Assert.True(page.FindDedicated("ratio"u8) >= 16);

        // Mixed int and string values are both scalars, so "mixed" qualifies; arrays, bytes and a key
        // twice on one span do not.
        Assert.True(page.FindDedicated("mixed"u8) >= 16);
        Assert.Equal(-1, page.FindDedicated("list"u8));
        Assert.Equal(-1, page.FindDedicated("bytes"u8));
        Assert.Equal(-1, page.FindDedicated("dup"u8));
        Assert.Equal(PageEncoder.MaxDedicatedColumns, page.DedicatedCount);
    }

    [Fact]
    public async Task Scan_NoSpanMeetsADedicatedComparison_EveryPageIsJudgedOnColumnsAndNoneDecoded()
    {
        using var dir = new TempDirectory();
        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });
        for (var t = 0; t < 3_000; t++)
        {
            await store.AppendAsync(Trace(new TraceId(9, (ulong)t + 1), 1,
                new SpanSpec("gateway", "GET /", StatusCode.Unset, Attribute: "http.response.status_code", Value: (long)(200 + (t % 400))),
                new SpanSpec("cart", "load", StatusCode.Ok, DurationNanos: 5_000)));
        }

        await store.FlushAsync();

        var none = new ScanMetrics();
        Assert.Empty(store.Scan(new SpanScanRequest { Predicates = [SpanPredicate.Int(SpanField.SpanAttribute, PredicateOperator.GreaterOrEqual, 600, "http.response.status_code")], Metrics = none }).ToList());
        Assert.Equal(0, none.PagesDecoded);
        Assert.True(none.PagesSkippedByColumns >= 1);
        Assert.Equal(6_000, none.SpansInspected);

        var errors = new ScanMetrics();
        Assert.Empty(store.Scan(new SpanScanRequest { Predicates = [SpanPredicate.Status(PredicateOperator.Equal, StatusCode.Error), SpanPredicate.Int(SpanField.Duration, PredicateOperator.Greater, 1)], Metrics = errors }).ToList());
        Assert.Equal(0, errors.PagesDecoded);

        // A page is decoded when its columns say a span matches, and only the traces that match come out.
        var some = new ScanMetrics();
        var found = store.Scan(new SpanScanRequest { Predicates = [SpanPredicate.Int(SpanField.SpanAttribute, PredicateOperator.Equal, 599, "http.response.status_code")], Metrics = some }).SelectMany(b => Enumerable.Range(0, b.SpanCount).Select(i => b.Spans[i].TraceId)).Distinct().Count();
        Assert.Equal(Enumerable.Range(0, 3_000).Count(t => 200 + (t % 400) == 599), found);
        Assert.True(some.PagesDecoded >= 1);
    }

    [Fact]
    public async Task Scan_ForAServiceOnlyNamedElsewhere_IsJudgedOnColumns_AndColumnScansReadServices()
    {
        using var dir = new TempDirectory();
        await using var store = await SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir.Path });
        for (var t = 0; t < 2_100; t++)
        {
            // On the first page "cart" is a span name, never a service: its string table holds it, its columns say no.
            await store.AppendAsync(Trace(new TraceId(5, (ulong)t + 1), 1, new SpanSpec("gateway", "cart"), new SpanSpec(t % 2 == 0 ? "payments" : "auth", "charge")));
        }

        for (var t = 0; t < 10; t++)
        {
            await store.AppendAsync(Trace(new TraceId(6, (ulong)t + 1), 1, new SpanSpec("cart", "load")));
        }

        await store.FlushAsync();
        var metrics = new ScanMetrics();
        var found = store.Scan(new SpanScanRequest { Predicates = [SpanPredicate.String(SpanField.ServiceName, PredicateOperator.Equal, "cart")], Metrics = metrics })
            .SelectMany(b => Enumerable.Range(0, b.SpanCount).Select(i => b.Spans[i].TraceId)).Distinct().ToList();
        Assert.Equal(10, found.Count);
        Assert.All(found, id => Assert.Equal(6UL, id.High));
        Assert.Equal(1, metrics.PagesDecoded);
        Assert.Equal(1, metrics.PagesSkippedByColumns);

        var services = new Dictionary<string, int>();
        foreach (var chunk in store.ScanSpanColumns(new SpanScanRequest { Predicates = [SpanPredicate.String(SpanField.Name, PredicateOperator.Equal, "charge")] }, names: true, services: true))
        {
            for (var i = 0; i < chunk.Count; i++)
            {
                Assert.Equal("charge", chunk.Names[i]);
                services[chunk.Services[i]] = services.GetValueOrDefault(chunk.Services[i]) + 1;
            }
        }

        Assert.Equal(new Dictionary<string, int> { ["payments"] = 1_050, ["auth"] = 1_050 }, services);
    }

    [Fact]
    public async Task Scan_OnBlocksOfWholePages_FindsTheSameTraces()
    {
        using var dir = new TempDirectory();
        var batch = MixedAttributes(3_000, 5);
        var meta = WriteAll(dir.Path, Refs(batch), wholePages: true);
        using var reader = BlockReaderV1.Open(FileSystemDevice.Instance, Path.Combine(dir.Path, meta.BlockId.ToString("N")));
        var expected = Enumerable.Range(0, batch.SpanCount)
            .Where(i => batch.AttributesOf(batch.Spans[i].Attributes).ToArray().Any(kv => batch.GetString(kv.Key) == "http.response.status_code" && kv.Value.IntValue >= 590))
            .Count();
        var predicate = SpanPredicate.Int(SpanField.SpanAttribute, PredicateOperator.GreaterOrEqual, 590, "http.response.status_code");
        var matched = 0;
        var buffer = new bool[BlockWriterV1.MaxPageSpans];
        for (var p = 0; p < reader.PageCount; p++)
        {
            var page = reader.ReadStoredPage(p);
            var decoded = reader.ReadPage(p);
            for (var i = 0; i < decoded.SpanCount; i++)
            {
                matched += predicate.Matches(decoded, i) ? 1 : 0;
            }

            // Older pages have no dedicated columns: the predicate is not judged on columns there.
            Assert.False(predicate.TryMatchColumns(page, buffer.AsSpan(0, page.SpanCount)));
        }

        Assert.Equal(expected, matched);
        Assert.True(expected > 0);
    }
}
