using System.CommandLine;
using System.Globalization;
using Ariadne.Cli.Bench;
using Ariadne.Cli.Bench.ClickHouse;
using Ariadne.Cli.LoadGen;
using Ariadne.Model;

namespace Ariadne.Cli.Commands;

/// <summary>
/// <c>ariadne bench</c>: end-to-end measurements against a real server process (real sockets, fsync on),
/// optionally side by side with a local ClickHouse on the same spans.
/// </summary>
internal static class BenchCommand
{
    private static readonly string[] Scenarios = ["ingest", "storage", "query", "limits", "all"];

    public static Command Create()
    {
        var scenario = new Argument<string>("scenario") { Description = "ingest, storage, query, limits or all." };
        var compare = new Option<string?>("--compare") { Description = "Also measure a reference store on the same spans: clickhouse." };
        var duration = new Option<string>("--duration") { Description = "How long each ingest run sends, e.g. 60s.", DefaultValueFactory = _ => "60s" };
        var spans = new Option<long>("--spans") { Description = "Spans stored for the query scenario (and loaded into the reference store).", DefaultValueFactory = _ => 10_000_000 };
        var storageSpans = new Option<long>("--storage-spans") { Description = "Spans ingested per profile for the storage scenario.", DefaultValueFactory = _ => 1_000_000 };
        var profile = new Option<string?>("--profile") { Description = "Span profile: realistic, small or wide. Ingest sends realistic spans and storage measures all three unless one is given." };
        var workers = new Option<int>("--workers") { Description = "Concurrent requests of the load generator.", DefaultValueFactory = _ => 16 };
        var results = new Option<string?>("--results") { Description = "Folder to write results.md and results.json into (all writes them to ./bench-results when not given)." };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON instead of Markdown." };
        var command = new Command("bench", "Measure ingest, storage and query against a server process, with the machine's limits and an optional reference store.");
        command.Arguments.Add(scenario);
        foreach (var option in new Option[] { compare, duration, spans, storageSpans, profile, workers, results, json })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var errors = new List<string>();
            var which = parse.GetValue(scenario)!;
            if (Array.IndexOf(Scenarios, which) < 0)
            {
                errors.Add($"scenario: expected one of {string.Join(", ", Scenarios)}, got '{which}'");
            }

            var compareWith = parse.GetValue(compare);
            if (compareWith is not (null or "clickhouse"))
            {
                errors.Add($"--compare: expected clickhouse, got '{compareWith}'");
            }

            var seconds = LoadgenCommand.ParseDuration(parse.GetValue(duration)!);
            if (seconds is null)
            {
                errors.Add($"--duration: expected a duration such as 30s or 5m, got '{parse.GetValue(duration)}'");
            }

            if (parse.GetValue(spans) < 100_000)
            {
                errors.Add("--spans: expected at least 100000");
            }

            if (parse.GetValue(storageSpans) < 1000)
            {
                errors.Add("--storage-spans: expected at least 1000");
            }

            if (parse.GetValue(profile) is not (null or "realistic" or "small" or "wide"))
            {
                errors.Add($"--profile: expected realistic, small or wide, got '{parse.GetValue(profile)}'");
            }

            if (parse.GetValue(workers) is < 1 or > 1024)
            {
                errors.Add("--workers: expected 1 to 1024");
            }

            if (compareWith == "clickhouse" && ClickHouseServer.FindExecutable() is null)
            {
                errors.Add("--compare clickhouse: clickhouse-server is not installed; run benchmarks/clickhouse/setup.sh");
            }

            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    await Console.Error.WriteLineAsync("ariadne bench: " + error);
                }

                return 2;
            }

            var options = new BenchOptions(
                which,
                seconds!.Value,
                parse.GetValue(spans),
                parse.GetValue(storageSpans),
                parse.GetValue(profile),
                parse.GetValue(workers),
                1000,
                compareWith == "clickhouse",
                parse.GetValue(results) ?? (which == "all" ? "bench-results" : null),
                parse.GetValue(json));
            var outcome = await RunAsync(options, "ariadne " + string.Join(' ', Environment.GetCommandLineArgs()[1..]), cancellationToken);
            if (options.Json)
            {
                Console.WriteLine(BenchReport.Json(outcome));
            }
            else
            {
                Console.WriteLine(BenchReport.Markdown(outcome));
            }

            if (options.ResultsDirectory is { } folder)
            {
                Directory.CreateDirectory(folder);
                await File.WriteAllTextAsync(Path.Combine(folder, "results.json"), BenchReport.Json(outcome), cancellationToken);
                await File.WriteAllTextAsync(Path.Combine(folder, "results.md"), BenchReport.Markdown(outcome), cancellationToken);
                await Console.Error.WriteLineAsync($"ariadne bench: results written to {Path.GetFullPath(folder)}");
            }

            foreach (var run in outcome.Ingest)
            {
                if (!run.CountsAgree)
                {
                    return 1;
                }
            }

            return 0;
        });
        return command;
    }

    private static async Task<BenchResults> RunAsync(BenchOptions options, string commandLine, CancellationToken cancellationToken)
    {
        // Progress goes to stderr, so that stdout is the report alone (or the JSON with --json).
        var log = Console.Error;
        var results = new BenchResults { Run = BenchReport.Stamp(commandLine) };
        var all = options.Scenario == "all";
        if (all || options.Scenario == "ingest")
        {
            results.Ingest.AddRange(await IngestScenario.RunAsync(options, log, cancellationToken));
        }

        if (all || options.Scenario == "storage")
        {
            results.Storage.AddRange(await StorageScenario.RunAsync(options, log, cancellationToken));
        }

        var ids = new List<TraceId>();
        if (all || options.Scenario == "query")
        {
            results.Query = await QueryScenario.RunAsync(options, log, ids, cancellationToken);
            if (options.CompareClickHouse)
            {
                results.ClickHouse = await ClickHouseScenario.RunAsync(options.QuerySpans, ids, log, cancellationToken);
            }
        }

        if (all || options.Scenario == "limits")
        {
            results.Limits = LimitsScenario.Measure(options.IngestProfile, results.Ingest, results.Query, log);
        }

        return results;
    }
}
