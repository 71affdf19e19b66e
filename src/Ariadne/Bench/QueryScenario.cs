using System.Diagnostics;
using System.Text.Json;
using Ariadne.Model;

namespace Ariadne.Cli.Bench;

/// <summary>
/// Queries over a large store: realistic spans written straight into compacted blocks (the fast path,
/// <see cref="BlockSeeder"/>), then a server process started on them answers trace by id and the
/// TraceQL searches over HTTP (Tempo API), one request at a time.
/// </summary>
internal static class QueryScenario
{
    public const int TraceByIdLookups = 1000;

    public static async Task<QueryResults> RunAsync(BenchOptions options, TextWriter log, List<TraceId> ids, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("ariadne-bench-query-").FullName;
        try
        {
            var data = Path.Combine(root, "data");
            var clock = Stopwatch.StartNew();
            var (spans, bytes) = BlockSeeder.WriteBlocks(Path.Combine(data, "single-tenant"), options.QuerySpans, ids);
            var seconds = clock.Elapsed.TotalSeconds;
            await log.WriteLineAsync($"query: {spans:N0} realistic spans written as blocks in {seconds:F0} s ({bytes / (double)spans:F1} B/span)");
            await using var server = await BenchServer.StartAsync(root, data);
            var queries = new List<QueryTiming>
            {
                await TraceByIdAsync(server.Client, server.Tempo, ids, cancellationToken),
            };
            foreach (var search in SearchQueries.All)
            {
                queries.Add(await SearchAsync(server.Client, server.Tempo, search, cancellationToken));
            }

            foreach (var q in queries)
            {
                await log.WriteLineAsync($"query {q.Name}: p50 {q.P50Ms} ms, p99 {q.P99Ms} ms over {q.Runs} runs, {q.Results} results");
            }

            return new QueryResults(spans, Math.Round(bytes / (double)spans, 1), "blocks written directly (compaction's format, zstd 6); queried over HTTP", Math.Round(seconds, 1), queries);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static Task<QueryTiming> TraceByIdAsync(HttpClient client, Uri tempo, List<TraceId> ids, CancellationToken cancellationToken)
    {
        var random = new Random(3);
        return LatencySampler.MeasureAsync("trace by id", "GET /api/traces/{id}", 1, 50, TraceByIdLookups, async _ =>
        {
            var id = ids[random.Next(ids.Count)];
            using var response = await client.GetAsync(new Uri(tempo, "/api/traces/" + id.ToString()), cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"trace {id} was stored but GET /api/traces answered {(int)response.StatusCode}");
            }

            return 1;
        });
    }

    private static Task<QueryTiming> SearchAsync(HttpClient client, Uri tempo, SearchQuery search, CancellationToken cancellationToken) =>
        LatencySampler.MeasureAsync(search.Name, search.TraceQL, search.Limit, 1, search.Runs, async _ =>
        {
            var uri = new Uri(tempo, $"/api/search?q={Uri.EscapeDataString(search.TraceQL)}&limit={search.Limit}");
            using var response = await client.GetAsync(uri, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"search {search.TraceQL} answered {(int)response.StatusCode}: {body}");
            }

            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("traces", out var traces) ? traces.GetArrayLength() : 0;
        });
}
