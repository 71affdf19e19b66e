using Ariadne.Model;
using Ariadne.Storage.Search;
using static Ariadne.Storage.Tests.Search.ScanFixture;

namespace Ariadne.Storage.Tests.Search;

public class SpanStoreScanTests
{
    private static Task<SpanStore> OpenAsync(string dir) => SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = dir });

    [Fact]
    public async Task Scan_NoPredicates_YieldsEveryTraceOnceAndWhole_AcrossBlocksAndHead()
    {
        using var dir = new TempDirectory();
        await using var store = await OpenAsync(dir.Path);
        var split = new TraceId(7, 7);
        await store.AppendAsync(Trace(split, 1, new SpanSpec("gateway", "GET /"), new SpanSpec("cart", "load")));
        await store.AppendAsync(Trace(new TraceId(1, 1), 1, new SpanSpec("gateway", "GET /a")));
        await store.FlushAsync();
        await store.AppendAsync(Trace(split, 3, new SpanSpec("payments", "charge")));
        await store.AppendAsync(Trace(split, 1, new SpanSpec("gateway", "GET /"))); // a retry: stored twice
        await store.AppendAsync(Trace(new TraceId(2, 2), 1, new SpanSpec("gateway", "GET /b")));
        await store.FlushAsync();
        await store.AppendAsync(Trace(split, 4, new SpanSpec("notifications", "send")));
        await store.AppendAsync(Trace(new TraceId(3, 3), 1, new SpanSpec("gateway", "GET /c"), new SpanSpec("auth", "check")));

        var traces = Collect(store.Scan(new SpanScanRequest()));

        Assert.Equal(4, traces.Count);
        Assert.Equal(new ulong[] { 1, 2, 3, 4 }, traces[split].Select(s => s.Value).Order().ToArray());
        Assert.Equal(2, traces[new TraceId(3, 3)].Count);
        Assert.Single(traces[new TraceId(1, 1)]);
    }

    [Fact]
    public async Task Scan_MatchAll_NeedsOneSpanMeetingEveryPredicate()
    {
        using var dir = new TempDirectory();
        await using var store = await OpenAsync(dir.Path);
        var bothOnOneSpan = new TraceId(1, 1);
        var splitOverTwoSpans = new TraceId(2, 2);
        var neither = new TraceId(3, 3);
        await store.AppendAsync(Trace(bothOnOneSpan, 1, new SpanSpec("gateway", "GET /"), new SpanSpec("payments", "charge", StatusCode.Error)));
        await store.AppendAsync(Trace(splitOverTwoSpans, 1, new SpanSpec("payments", "charge"), new SpanSpec("cart", "load", StatusCode.Error)));
        await store.AppendAsync(Trace(neither, 1, new SpanSpec("cart", "load")));
        await store.FlushAsync();

        var request = new SpanScanRequest
        {
            Predicates = [SpanPredicate.String(SpanField.ServiceName, PredicateOperator.Equal, "payments"), SpanPredicate.Status(PredicateOperator.Equal, StatusCode.Error)],
            MatchAll = true,
        };
        var traces = Collect(store.Scan(request));
        Assert.Equal([bothOnOneSpan], traces.Keys);
        Assert.Equal(2, traces[bothOnOneSpan].Count);

        var any = Collect(store.Scan(new SpanScanRequest { Predicates = request.Predicates, MatchAll = false }));
        Assert.Equal(new[] { bothOnOneSpan, splitOverTwoSpans }, any.Keys.Order().ToArray());
    }

    [Fact]
    public async Task Scan_TimeRange_KeepsTracesWithASpanOverlappingIt()
    {
        using var dir = new TempDirectory();
        await using var store = await OpenAsync(dir.Path);
        await store.AppendAsync(Trace(new TraceId(1, 1), 1, new SpanSpec("a", "early", StartUnixNano: 1_000, DurationNanos: 100)));
        await store.AppendAsync(Trace(new TraceId(2, 2), 1, new SpanSpec("a", "spans the range", StartUnixNano: 1_000, DurationNanos: 10_000)));
        await store.FlushAsync();
        await store.AppendAsync(Trace(new TraceId(3, 3), 1, new SpanSpec("a", "late", StartUnixNano: 50_000, DurationNanos: 100)));

        var traces = Collect(store.Scan(new SpanScanRequest { StartUnixNano = 5_000, EndUnixNano = 6_000 }));

        Assert.Equal([new TraceId(2, 2)], traces.Keys);
    }

    [Fact]
    public async Task Scan_MatchOutsideTheRange_FindsTheTraceByItsSpanInsideTheRangeStoredElsewhere()
    {
        using var dir = new TempDirectory();
        await using var store = await OpenAsync(dir.Path);
        var id = new TraceId(4, 4);
        await store.AppendAsync(Trace(id, 1, new SpanSpec("payments", "charge", StatusCode.Error, StartUnixNano: 1_000_000, DurationNanos: 10)));
        await store.FlushAsync();
        await store.AppendAsync(Trace(id, 2, new SpanSpec("gateway", "GET /", StartUnixNano: 9_000_000, DurationNanos: 10)));
        await store.FlushAsync();
        await store.AppendAsync(Trace(id, 3, new SpanSpec("gateway", "late", StartUnixNano: 9_000_000, DurationNanos: 10)));

        var errorsLater = new SpanScanRequest { Predicates = [SpanPredicate.Status(PredicateOperator.Equal, StatusCode.Error)], StartUnixNano = 8_000_000, EndUnixNano = 10_000_000 };
        var traces = Collect(store.Scan(errorsLater));

        Assert.Equal(3, Assert.Single(traces).Value.Count);
        Assert.Empty(Collect(store.Scan(new SpanScanRequest { Predicates = errorsLater.Predicates, StartUnixNano = 20_000_000, EndUnixNano = 30_000_000 })));
    }

    [Fact]
    public async Task Scan_SelectiveString_SkipsBlocksAndPagesWithoutDecodingThem()
    {
        using var dir = new TempDirectory();
        await using var store = await OpenAsync(dir.Path);
        var rare = new TraceId(500, 500);
        for (var block = 0; block < 3; block++)
        {
            var batch = new SpanBatch();
            var copier = new SpanCopier(batch);
            for (var t = 1; t <= 1500; t++)
            {
                var id = new TraceId((ulong)block, (ulong)t);
                var spans = id == new TraceId(1, 700)
                    ? Trace(rare, 1, new SpanSpec("checkout", "GET /", Attribute: "order.id", Value: "ord-4711"))
                    : Trace(id, 1, new SpanSpec("checkout", "GET /", Attribute: "order.id", Value: $"ord-{block}-{t}"));
                copier.CopySpan(spans, 0);
            }

            await store.AppendAsync(batch);
            await store.FlushAsync();
        }

        var metrics = new ScanMetrics();
        var traces = Collect(store.Scan(new SpanScanRequest
        {
            Predicates = [SpanPredicate.String(SpanField.SpanAttribute, PredicateOperator.Equal, "ord-4711", "order.id")],
            Metrics = metrics,
        }));

        Assert.Equal([rare], traces.Keys);
        Assert.Equal(1, metrics.PagesDecoded);
        Assert.True(metrics.PagesSkippedByStrings >= 2, $"{metrics.PagesSkippedByStrings} pages skipped on their strings");

        var byService = new ScanMetrics();
        Assert.Empty(Collect(store.Scan(new SpanScanRequest
        {
            Predicates = [SpanPredicate.String(SpanField.ServiceName, PredicateOperator.Equal, "no-such-service")],
            Metrics = byService,
        })));
        Assert.Equal(3, byService.BlocksSkipped);
        Assert.Equal(0, byService.BytesRead);

        var errors = new ScanMetrics();
        Assert.Empty(Collect(store.Scan(new SpanScanRequest { Predicates = [SpanPredicate.Status(PredicateOperator.Equal, StatusCode.Error)], Metrics = errors })));
        Assert.Equal(0, errors.PagesDecoded);
        Assert.True(errors.PagesSkippedByIndex >= 3);
    }

    [Fact]
    public async Task Scan_StoppedEarly_DoesNotReadEveryBlock()
    {
        using var dir = new TempDirectory();
        await using var store = await OpenAsync(dir.Path);
        for (var block = 0; block < 4; block++)
        {
            for (var t = 1; t <= 10; t++)
            {
                await store.AppendAsync(Trace(new TraceId((ulong)block + 1, (ulong)t), 1, new SpanSpec("a", "op")));
            }

            await store.FlushAsync();
        }

        var metrics = new ScanMetrics();
        var first = store.Scan(new SpanScanRequest { BatchSpans = 1, Metrics = metrics }).First();

        Assert.Equal(1, first.SpanCount);
        Assert.Equal(1, metrics.PagesDecoded);
    }

    [Fact]
    public async Task Scan_Cancelled_Throws()
    {
        using var dir = new TempDirectory();
        await using var store = await OpenAsync(dir.Path);
        await store.AppendAsync(Trace(new TraceId(1, 1), 1, new SpanSpec("a", "op")));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        Assert.Throws<OperationCanceledException>(() => store.Scan(new SpanScanRequest(), cancelled.Token).ToList());
    }

    [Fact]
    public async Task Scan_RandomStore_AgreesWithEvaluatingEveryTraceDirectly()
    {
        var random = new Random(20261122);
        string[] services = ["gateway", "cart", "payments", "auth"];
        string[] names = ["GET /", "charge", "load", "check"];
        using var dir = new TempDirectory();
        await using var store = await OpenAsync(dir.Path);
        var all = new Dictionary<TraceId, List<SpanSpec>>();
        for (var round = 0; round < 4; round++)
        {
            for (var t = 0; t < 300; t++)
            {
                var id = new TraceId((ulong)random.Next(1, 400), 1);
                var spec = new SpanSpec(
                    services[random.Next(services.Length)],
                    names[random.Next(names.Length)],
                    (StatusCode)random.Next(3),
                    (ulong)random.Next(1, 1_000_000),
                    (ulong)random.Next(1, 50_000),
                    random.Next(3) == 0 ? "http.status_code" : "retries",
                    random.Next(2) == 0 ? (object)(long)random.Next(100, 600) : random.Next(0, 5) * 1.0);
                if (!all.TryGetValue(id, out var specs))
                {
                    all[id] = specs = [];
                }

                await store.AppendAsync(Trace(id, (ulong)(specs.Count + 1) * 1000, spec));
                specs.Add(spec);
            }

            if (round < 3)
            {
                await store.FlushAsync();
            }
        }

        SpanPredicate[][] queries =
        [
            [SpanPredicate.String(SpanField.ServiceName, PredicateOperator.Equal, "payments"), SpanPredicate.Status(PredicateOperator.Equal, StatusCode.Error)],
            [SpanPredicate.Int(SpanField.SpanAttribute, PredicateOperator.GreaterOrEqual, 500, "http.status_code")],
            [SpanPredicate.Double(SpanField.AnyAttribute, PredicateOperator.Greater, 2.5, "retries"), SpanPredicate.Int(SpanField.Duration, PredicateOperator.Greater, 40_000)],
            [SpanPredicate.String(SpanField.Name, PredicateOperator.Matches, "^ch"), SpanPredicate.Kind(PredicateOperator.Equal, SpanKind.Server)],
            [SpanPredicate.Textual(SpanField.SpanAttribute, PredicateOperator.Equal, "3", "retries"), SpanPredicate.Status(PredicateOperator.NotEqual, StatusCode.Ok)],
            [SpanPredicate.Exists(SpanField.SpanAttribute, "http.status_code"), SpanPredicate.Int(SpanField.Duration, PredicateOperator.LessOrEqual, 20_000)],
            [SpanPredicate.String(SpanField.Name, PredicateOperator.Less, "check"), SpanPredicate.Double(SpanField.SpanAttribute, PredicateOperator.Less, 150.5, "http.status_code")],
            [SpanPredicate.String(SpanField.SpanAttribute, PredicateOperator.Equal, "x", "retries")],
        ];
        foreach (var predicates in queries)
        {
            foreach (var matchAll in new[] { true, false })
            {
                var request = new SpanScanRequest { Predicates = predicates, MatchAll = matchAll, StartUnixNano = 200_000, EndUnixNano = 800_000 };
                var expected = all.Where(kv => ExpectedToQualify(request, kv.Value)).Select(kv => kv.Key).Order().ToList();
                var actual = Collect(store.Scan(request));
                Assert.True(expected.SequenceEqual(actual.Keys.Order()), $"{string.Join(" & ", predicates.Select(p => p.ToString()))} all={matchAll}: expected {expected.Count}, got {actual.Count}");
                foreach (var (id, spanIds) in actual)
                {
                    Assert.Equal(all[id].Count, spanIds.Count);
                }
            }
        }
    }

    private static bool ExpectedToQualify(SpanScanRequest request, List<SpanSpec> spans)
    {
        var inRange = spans.Any(s => s.StartUnixNano <= request.EndUnixNano && s.StartUnixNano + s.DurationNanos >= request.StartUnixNano);
        var matched = spans.Any(s =>
        {
            var batch = Trace(new TraceId(1, 1), 1, s);
            return request.MatchAll ? request.Predicates.All(p => p.Matches(batch, 0)) : request.Predicates.Any(p => p.Matches(batch, 0));
        });
        return inRange && matched;
    }
}
