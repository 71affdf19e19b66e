using System.Diagnostics;
using System.Globalization;
using Ariadne.Cli.Bench;
using Ariadne.Cli.LoadGen;
using Ariadne.Model;
using Ariadne.Storage;
using Ariadne.Server.Query;
using Ariadne.Storage.Search;
using Ariadne.TraceQL.Engine;

namespace Ariadne.Benchmarks.Storage;

/// <summary>
/// The storage engine at scale: writes <c>spans</c> realistic spans as compacted blocks (as compaction
/// leaves them), puts 100,000 more in the head through the ingest log, then measures trace by id one
/// lookup at a time (p50/p99/max over 2,000 random stored traces) and scans with predicates. Run:
/// <c>dotnet run -c Release --project benchmarks/Ariadne.Benchmarks -- storage-scale 10000000</c>.
/// Each timing is single-threaded wall time on a warm page cache.
/// </summary>
internal static class StorageScaleReport
{
    private const int HeadSpans = 100_000;

    public static void Run(long spans, bool onlyTraceQL = false)
    {
        var directory = Directory.CreateTempSubdirectory("ariadne-scale-").FullName;
        try
        {
            var ids = new List<TraceId>();
            var build = Stopwatch.StartNew();
            var (written, bytes) = BlockSeeder.WriteBlocks(directory, spans, ids);
            build.Stop();
            Print($"blocks: {written:N0} spans in {bytes / (double)(1 << 20):F0} MiB = {bytes / (double)written:F1} B/span; generated and written in {build.Elapsed.TotalSeconds:F0} s ({written / build.Elapsed.TotalSeconds:N0} spans/s including generation)");

            GC.Collect();
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var store = SpanStore.OpenAsync(new SpanStoreOptions { DataDirectory = directory }).GetAwaiter().GetResult();
            for (var chunk = 0; chunk < HeadSpans / 10_000; chunk++)
            {
                var batch = RealisticSpans.Create(10_000, 1_000_000 + chunk);
                ids.Add(batch.Spans[0].TraceId);
                store.AppendAsync(batch).AsTask().GetAwaiter().GetResult();
            }

            GC.Collect();
            var after = GC.GetTotalMemory(forceFullCollection: true);
            var stats = store.Statistics;
            Print($"store: {stats.SpansStored:N0} spans, {stats.Blocks} blocks, {stats.HeadSpans:N0} in the head; managed memory held {((after - before) / (double)(1 << 20)):F0} MiB; process working set {Process.GetCurrentProcess().WorkingSet64 / (double)(1 << 20):F0} MiB");

            TraceById(store, ids);
            if (!onlyTraceQL)
            {
                RawScans(store);
            }

            TraceQL(store, "{ resource.service.name = \"payments\" && status = error }", 20, 21);
            TraceQL(store, "{ span.http.response.status_code >= 500 }", 1000, 5);

            // No span has such a status, and nothing above the rows can tell: every page is decoded and
            // every span tested, which is the scan rate an unselective attribute query runs at.
            TraceQL(store, "{ span.http.response.status_code >= 600 }", 20, 3);
            TraceQL(store, "{ resource.service.name = \"gateway\" } >> { status = error }", 20, 21);

            // TraceQL metrics over every stored span: spans read as columns, not assembled into traces.
            Metrics(store, "{ } | quantile_over_time(duration, 0.5, 0.9, 0.99)", 5);
            Metrics(store, "{ status = error } | rate() by (name)", 5);
            Metrics(store, "{ resource.service.name = \"payments\" } | count_over_time()", 1);
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void RawScans(SpanStore store)
    {
        Scan(store, "service.name = payments && status = error, first 20 traces", 20, true,
            SpanPredicate.String(SpanField.ServiceName, PredicateOperator.Equal, "payments"), SpanPredicate.Status(PredicateOperator.Equal, StatusCode.Error));
        Scan(store, "service.name = payments && status = error, every trace", int.MaxValue, true,
            SpanPredicate.String(SpanField.ServiceName, PredicateOperator.Equal, "payments"), SpanPredicate.Status(PredicateOperator.Equal, StatusCode.Error));
        Scan(store, "span.http.response.status_code >= 500, every trace", int.MaxValue, true,
            SpanPredicate.Int(SpanField.SpanAttribute, PredicateOperator.GreaterOrEqual, 500, "http.response.status_code"));
        Scan(store, "span.enduser.id = \"user-4711\" (rare value), every trace", int.MaxValue, true,
            SpanPredicate.String(SpanField.SpanAttribute, PredicateOperator.Equal, "user-4711", "enduser.id"));
        Scan(store, "service.name = no-such-service", int.MaxValue, true,
            SpanPredicate.String(SpanField.ServiceName, PredicateOperator.Equal, "no-such-service"));
    }

    private static void TraceById(SpanStore store, List<TraceId> ids)
    {
        var random = new Random(3);
        var times = new double[2000];
        for (var i = 0; i < 50; i++)
        {
            store.TryGetTrace(ids[random.Next(ids.Count)], out _);
        }

        for (var i = 0; i < times.Length; i++)
        {
            var id = ids[random.Next(ids.Count)];
            var started = Stopwatch.GetTimestamp();
            if (!store.TryGetTrace(id, out _))
            {
                throw new InvalidOperationException($"trace {id} was stored but not found");
            }

            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(times);
        Print($"trace by id ({times.Length} lookups): p50 {times[times.Length / 2]:F2} ms, p99 {times[(int)(times.Length * 0.99)]:F2} ms, max {times[^1]:F2} ms");
    }

    private static void Scan(SpanStore store, string label, int limit, bool matchAll, params SpanPredicate[] predicates)
    {
        var runs = new double[limit == int.MaxValue ? 3 : 9];
        ScanMetrics? last = null;
        var traces = 0;
        for (var r = 0; r < runs.Length; r++)
        {
            var metrics = new ScanMetrics();
            var started = Stopwatch.GetTimestamp();
            traces = 0;
            foreach (var batch in store.Scan(new SpanScanRequest { Predicates = predicates, MatchAll = matchAll, Metrics = metrics, BatchSpans = 1 }))
            {
                if (++traces >= limit)
                {
                    break;
                }
            }

            runs[r] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            last = metrics;
        }

        Array.Sort(runs);
        var median = runs[runs.Length / 2];
        Print($"scan {label}: median {median:F0} ms over {runs.Length} runs; {traces:N0} traces; {last!.SpansInspected:N0} spans inspected ({last.SpansInspected / (median / 1000):N0}/s), pages decoded {last.PagesDecoded:N0}, skipped {last.PagesSkippedByIndex:N0} by index and {last.PagesSkippedByStrings:N0} by strings, blocks skipped {last.BlocksSkipped}");
    }

    /// <summary>A TraceQL search through the engine and the store's fetcher, as the search APIs run it.</summary>
    private static void TraceQL(SpanStore store, string query, int limit, int runs)
    {
        var engine = new TraceQLEngine { MaxLimit = int.MaxValue, Timeout = TimeSpan.FromMinutes(30) };
        var times = new double[runs];
        SearchResponse? response = null;
        ScanMetrics? scan = null;
        for (var r = 0; r < runs; r++)
        {
            var fetcher = new StoreSpansetFetcher(store);
            var started = Stopwatch.GetTimestamp();
            response = engine.SearchAsync(query, new SearchRequest { Limit = limit }, fetcher, CancellationToken.None).GetAwaiter().GetResult();
            times[r] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            scan = fetcher.Metrics;
        }

        Array.Sort(times);
        var median = times[runs / 2];
        var p99 = times[Math.Min(runs - 1, (int)Math.Ceiling(runs * 0.99) - 1)];
        Print($"traceql {query} (limit {(limit >= int.MaxValue / 2 ? "none" : limit.ToString(CultureInfo.InvariantCulture))}): p50 {median:F0} ms, p99 {p99:F0} ms over {runs} runs; {response!.Traces.Count:N0} traces; {scan!.SpansInspected:N0} spans inspected by storage ({scan.SpansInspected / (median / 1000):N0}/s), {response.Metrics.InspectedSpans:N0} evaluated; pages decoded {scan.PagesDecoded:N0}, skipped {scan.PagesSkippedByIndex + scan.PagesSkippedByStrings:N0}, judged on columns and skipped {scan.PagesSkippedByColumns:N0}; blocks skipped {scan.BlocksSkipped}; head: {scan.HeadSpansInspected:N0} spans in {scan.HeadTicks * 1000.0 / Stopwatch.Frequency:F0} ms, blocks: {scan.SpansInspected - scan.HeadSpansInspected:N0} spans in {median - (scan.HeadTicks * 1000.0 / Stopwatch.Frequency):F0} ms");
    }

    /// <summary>A TraceQL metrics query over the generated data's hour (step one minute), through the store's fetcher as the API runs it.</summary>
    private static void Metrics(SpanStore store, string query, int runs)
    {
        const ulong Second = 1_000_000_000;
        const ulong DataStart = 1_763_800_000 * Second;
        var request = new Ariadne.TraceQL.Metrics.MetricsRequest { StartUnixNanos = DataStart - (60 * Second), EndUnixNanos = DataStart + (3600 * Second), StepNanos = 60 * Second };
        var engine = new Ariadne.TraceQL.Metrics.MetricsEngine { Timeout = TimeSpan.FromMinutes(30) };
        var times = new double[runs];
        Ariadne.TraceQL.Metrics.MetricsResponse? response = null;
        ScanMetrics? scan = null;
        for (var r = 0; r < runs; r++)
        {
            var fetcher = new StoreSpansetFetcher(store);
            var started = Stopwatch.GetTimestamp();
            response = engine.QueryAsync(query, request, fetcher, CancellationToken.None).GetAwaiter().GetResult();
            times[r] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            scan = fetcher.Metrics;
        }

        Array.Sort(times);
        var median = times[runs / 2];
        Print($"metrics {query}: p50 {median:F0} ms over {runs} runs; {response!.Series.Count} series; {response.InspectedSpans:N0} spans counted, {scan!.SpansInspected:N0} inspected by storage ({scan.SpansInspected / (median / 1000):N0}/s); pages skipped on columns {scan.PagesSkippedByColumns:N0}");
    }

    private static void Print(string line) => Console.WriteLine(line.ToString(CultureInfo.InvariantCulture));
}
