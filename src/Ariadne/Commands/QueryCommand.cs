using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ariadne.Server.Configuration;

namespace Ariadne.Cli.Commands;

/// <summary><c>ariadne query 'TRACEQL'</c>: run a TraceQL search on a running server and print the traces found.</summary>
internal static class QueryCommand
{
    private static readonly string[] Header = ["TRACE ID", "ROOT SERVICE", "ROOT SPAN", "START (UTC)", "DURATION", "SPANS", "ERRORS", "MATCHED"];

    public static Command Create()
    {
        var query = new Argument<string>("traceql") { Description = "The TraceQL query, such as '{ resource.service.name = \"payments\" && status = error }'." };
        var since = new Option<string>("--since")
        {
            Description = "How far back to search: 15m, 1h, 2d… (default: everything stored).",
        };
        since.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            if (text is not null && !TryParseSince(text, out _))
            {
                result.AddError($"--since must be a duration such as 30m, 1h or 2d, got '{text}'");
            }
        });
        var limit = new Option<int>("--limit") { Description = "The most traces to return.", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError("--limit must be a positive number");
            }
        });
        var server = ServerOption.Create();
        var key = ServerOption.CreateKey();
        var tenant = ServerOption.CreateTenant();
        var command = new Command("query", "Search a running server with TraceQL and print the matching traces as a table.");
        command.Arguments.Add(query);
        command.Options.Add(since);
        command.Options.Add(limit);
        command.Options.Add(server);
        command.Options.Add(key);
        command.Options.Add(tenant);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = new StringBuilder("/api/search?q=").Append(Uri.EscapeDataString(parse.GetValue(query)!))
                .Append("&limit=").Append(parse.GetValue(limit).ToString(CultureInfo.InvariantCulture));
            if (parse.GetValue(since) is { } sinceText && TryParseSince(sinceText, out var window))
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                path.Append("&start=").Append((now - (long)window.TotalSeconds).ToString(CultureInfo.InvariantCulture))
                    .Append("&end=").Append(now.ToString(CultureInfo.InvariantCulture));
            }

            var body = await ServerOption.GetAsync(parse.GetValue(server)!, parse.GetValue(key), parse.GetValue(tenant), path.ToString(), cancellationToken);
            if (body is null)
            {
                return 1;
            }

            using var json = JsonDocument.Parse(body);
            Console.Write(FormatTable(json.RootElement));
            return 0;
        });
        return command;
    }

    /// <summary>A duration, with <c>d</c> for days on top of the usual units.</summary>
    private static bool TryParseSince(string text, out TimeSpan window)
    {
        if (text.EndsWith('d') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var days) && days > 0)
        {
            window = TimeSpan.FromDays(days);
            return true;
        }

        return DurationYamlConverter.TryParse(text, out window) && window > TimeSpan.Zero;
    }

    /// <summary>One line per trace: id, root service and span, start (UTC), duration, spans and matched spans.</summary>
    public static string FormatTable(JsonElement response)
    {
        var rows = new List<string[]> { Header };
        foreach (var trace in response.GetProperty("traces").EnumerateArray())
        {
            var start = ulong.Parse(trace.GetProperty("startTimeUnixNano").GetString()!, CultureInfo.InvariantCulture);
            int spans = 0, errors = 0, matched = 0;
            foreach (var service in trace.GetProperty("serviceStats").EnumerateObject())
            {
                spans += service.Value.GetProperty("spanCount").GetInt32();
                errors += service.Value.TryGetProperty("errorCount", out var e) ? e.GetInt32() : 0;
            }

            foreach (var spanset in trace.GetProperty("spanSets").EnumerateArray())
            {
                matched += spanset.GetProperty("matched").GetInt32();
            }

            rows.Add(
            [
                trace.GetProperty("traceID").GetString()!,
                trace.GetProperty("rootServiceName").GetString()!,
                trace.GetProperty("rootTraceName").GetString()!,
                DateTime.UnixEpoch.AddTicks((long)(start / 100)).ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
                trace.GetProperty("durationMs").GetInt64().ToString(CultureInfo.InvariantCulture) + " ms",
                spans.ToString(CultureInfo.InvariantCulture),
                errors.ToString(CultureInfo.InvariantCulture),
                matched.ToString(CultureInfo.InvariantCulture),
            ]);
        }

        var output = new StringBuilder();
        var widths = new int[rows[0].Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                output.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            output.Append('\n');
        }

        output.Append(rows.Count - 1).Append(rows.Count == 2 ? " trace\n" : " traces\n");
        return output.ToString();
    }
}
