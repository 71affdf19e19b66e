using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Ariadne.Model;

namespace Ariadne.Cli.Bench.ClickHouse;

/// <summary>
/// The reference store: the identical realistic spans the query scenario stores (<see cref="BlockSeeder.Chunks"/>)
/// loaded into ClickHouse's span table over its HTTP interface, merged (OPTIMIZE FINAL), then measured
/// as Ariadne is: bytes per span, load throughput, trace by id and the same searches in SQL.
/// </summary>
internal static class ClickHouseScenario
{
    public static async Task<ClickHouseResults> RunAsync(long spans, List<TraceId> ids, TextWriter log, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("ariadne-bench-clickhouse-").FullName;
        try
        {
            await using var server = await ClickHouseServer.StartAsync(root);
            var version = (await server.QueryAsync("SELECT version()", cancellationToken)).Trim();
            await server.QueryAsync(ClickHouseSpanRows.Schema, cancellationToken);

            // Rows are rendered while the previous chunk is being inserted; only the inserts are timed.
            var buffer = new ArrayBufferWriter<byte>(256 << 20);
            var next = new ArrayBufferWriter<byte>(256 << 20);
            Task insert = Task.CompletedTask;
            long loaded = 0;
            var insertTicks = 0L;
            var wall = Stopwatch.StartNew();
            foreach (var batch in BlockSeeder.Chunks(spans))
            {
                next.ResetWrittenCount();
                ClickHouseSpanRows.Write(batch, next);
                await insert;
                (buffer, next) = (next, buffer);
                loaded += batch.SpanCount;
                var rows = buffer.WrittenMemory;
                insert = Task.Run(
                    async () =>
                    {
                        var started = Stopwatch.GetTimestamp();
                        await server.InsertAsync("spans", rows, cancellationToken);
                        Interlocked.Add(ref insertTicks, Stopwatch.GetTimestamp() - started);
                    },
                    cancellationToken);
            }

            await insert;
            var loadSeconds = insertTicks / (double)Stopwatch.Frequency;
            await log.WriteLineAsync($"clickhouse {version}: {loaded:N0} spans inserted in {loadSeconds:F0} s of inserts ({wall.Elapsed.TotalSeconds:F0} s with rendering the rows)");
            await server.QueryAsync("OPTIMIZE TABLE spans FINAL", cancellationToken);
            var parts = (await server.QueryAsync("SELECT sum(bytes_on_disk), sum(rows) FROM system.parts WHERE active AND database = 'default' AND table = 'spans' FORMAT TabSeparated", cancellationToken)).Trim().Split('\t');
            var bytes = long.Parse(parts[0], CultureInfo.InvariantCulture);
            var rowsStored = long.Parse(parts[1], CultureInfo.InvariantCulture);
            if (rowsStored != loaded)
            {
                throw new InvalidOperationException($"ClickHouse holds {rowsStored:N0} rows, {loaded:N0} were inserted");
            }

            await log.WriteLineAsync($"clickhouse: {bytes:N0} bytes on disk after OPTIMIZE FINAL = {bytes / (double)loaded:F1} B/span");
            var queries = new List<QueryTiming>();
            var random = new Random(3);
            queries.Add(await LatencySampler.MeasureAsync("trace by id", "SELECT * FROM spans WHERE trace_id = '…'", 1, 50, QueryScenario.TraceByIdLookups, async _ =>
            {
                var id = ids[random.Next(ids.Count)];
                var answer = await server.QueryAsync($"SELECT * FROM spans WHERE trace_id = '{id}' FORMAT TabSeparated", cancellationToken);
                if (answer.Length == 0)
                {
                    throw new InvalidOperationException($"trace {id} was loaded but ClickHouse found no span of it");
                }

                return 1;
            }));
            foreach (var search in SearchQueries.All)
            {
                queries.Add(await LatencySampler.MeasureAsync(search.Name, search.Sql, search.Limit, 1, search.Runs, async _ =>
                {
                    var answer = await server.QueryAsync(search.Sql + " FORMAT TabSeparated", cancellationToken);
                    return answer.Length == 0 ? 0 : answer.TrimEnd('\n').Split('\n').Length;
                }));
            }

            foreach (var q in queries)
            {
                await log.WriteLineAsync($"clickhouse {q.Name}: p50 {q.P50Ms} ms, p99 {q.P99Ms} ms over {q.Runs} runs, {q.Results} results");
            }

            return new ClickHouseResults(version, loaded, bytes, Math.Round(bytes / (double)loaded, 1), Math.Round(loadSeconds, 1), Math.Round(loaded / loadSeconds), queries);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
