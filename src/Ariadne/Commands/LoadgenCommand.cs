using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ariadne.Cli.LoadGen;

namespace Ariadne.Cli.Commands;

/// <summary><c>ariadne loadgen</c>: OTLP traffic against any OTLP endpoint, with a summary.</summary>
internal static class LoadgenCommand
{
    public static Command Create()
    {
        var endpoint = new Option<string>("--endpoint") { Description = "The OTLP endpoint: http://host:4318 (HTTP) or http://host:4317 (gRPC).", DefaultValueFactory = _ => "http://localhost:4318" };
        var protocol = new Option<string>("--protocol") { Description = "http or grpc.", DefaultValueFactory = _ => "http" };
        var rate = new Option<string>("--rate") { Description = "Spans per second, or max to send as fast as the receiver answers.", DefaultValueFactory = _ => "10000" };
        var duration = new Option<string>("--duration") { Description = "How long to send, e.g. 60s or 5m.", DefaultValueFactory = _ => "60s" };
        var workers = new Option<int>("--workers") { Description = "Concurrent requests.", DefaultValueFactory = _ => 8 };
        var profile = new Option<string>("--profile") { Description = "Span profile: realistic, small, wide, or custom (shaped by the options below).", DefaultValueFactory = _ => "realistic" };
        var spansPerTrace = new Option<int>("--spans-per-trace") { Description = "custom: spans in each trace.", DefaultValueFactory = _ => 8 };
        var depth = new Option<int>("--depth") { Description = "custom: depth of each trace's span tree.", DefaultValueFactory = _ => 2 };
        var attributes = new Option<int>("--attributes") { Description = "custom: attributes per span.", DefaultValueFactory = _ => 10 };
        var cardinality = new Option<int>("--cardinality") { Description = "custom: distinct values per attribute.", DefaultValueFactory = _ => 100 };
        var valueSize = new Option<int>("--value-size") { Description = "custom: longest string attribute value, in characters.", DefaultValueFactory = _ => 32 };
        var events = new Option<int>("--events") { Description = "custom: events per span.", DefaultValueFactory = _ => 0 };
        var spansPerRequest = new Option<int>("--spans-per-request") { Description = "Spans in each request.", DefaultValueFactory = _ => 1000 };
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON object." };
        var command = new Command("loadgen", "Send OTLP traffic (pre-encoded, every trace new) and report acknowledged, refused and failed spans.");
        foreach (var option in new Option[] { endpoint, protocol, rate, duration, workers, profile, spansPerRequest, json, spansPerTrace, depth, attributes, cardinality, valueSize, events })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var errors = new List<string>();
            if (!Uri.TryCreate(parse.GetValue(endpoint), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add($"--endpoint: expected an http(s) URL, got '{parse.GetValue(endpoint)}'");
            }

            var protocolText = parse.GetValue(protocol);
            if (protocolText is not ("http" or "grpc"))
            {
                errors.Add($"--protocol: expected http or grpc, got '{protocolText}'");
            }

            var rateText = parse.GetValue(rate)!;
            var spansPerSecond = 0;
            if (rateText != "max" && (!int.TryParse(rateText, NumberStyles.None, CultureInfo.InvariantCulture, out spansPerSecond) || spansPerSecond <= 0))
            {
                errors.Add($"--rate: expected a positive number of spans per second or max, got '{rateText}'");
            }

            var seconds = ParseDuration(parse.GetValue(duration)!);
            if (seconds is null)
            {
                errors.Add($"--duration: expected a duration such as 30s or 5m, got '{parse.GetValue(duration)}'");
            }

            if (!SpanProfiles.Names.Contains(parse.GetValue(profile)))
            {
                errors.Add($"--profile: expected one of {string.Join(", ", SpanProfiles.Names)}, got '{parse.GetValue(profile)}'");
            }

            if (parse.GetValue(workers) is < 1 or > 1024)
            {
                errors.Add("--workers: expected 1 to 1024");
            }

            if (parse.GetValue(spansPerRequest) is < 1 or > 100_000)
            {
                errors.Add("--spans-per-request: expected 1 to 100000");
            }

            var shape = new TraceShape(parse.GetValue(spansPerTrace), parse.GetValue(depth), parse.GetValue(attributes), parse.GetValue(cardinality), parse.GetValue(valueSize), parse.GetValue(events));
            if (shape.SpansPerTrace is < 1 or > 100_000 || shape.Depth < 1 || shape.Attributes is < 0 or > 1000 || shape.Cardinality < 1 || shape.ValueLength is < 1 or > 1_000_000 || shape.Events is < 0 or > 1000)
            {
                errors.Add("--spans-per-trace, --depth, --cardinality and --value-size must be at least 1; --attributes and --events from 0 to 1000");
            }

            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    await Console.Error.WriteLineAsync("ariadne loadgen: " + error);
                }

                return 2;
            }

            var options = new LoadOptions(uri!, protocolText == "grpc", spansPerSecond, seconds!.Value, parse.GetValue(workers), parse.GetValue(profile)!, parse.GetValue(spansPerRequest), Shape: shape);
            var summary = await LoadGenerator.RunAsync(options, cancellationToken);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["sent_spans"] = summary.SentSpans,
                    ["acked_spans"] = summary.AckedSpans,
                    ["refused_spans"] = summary.RefusedSpans,
                    ["failed_spans"] = summary.FailedSpans,
                    ["seconds"] = Math.Round(summary.Seconds, 3),
                    ["acked_spans_per_second"] = Math.Round(summary.AckedSpansPerSecond),
                    ["requests"] = summary.Requests,
                    ["latency_p50_ms"] = Math.Round(summary.LatencyP50Ms, 3),
                    ["latency_p99_ms"] = Math.Round(summary.LatencyP99Ms, 3),
                    ["cpu_seconds"] = Math.Round(summary.CpuSeconds, 3),
                    ["spans_per_cpu_second"] = Math.Round(summary.SpansPerCpuSecond),
                    ["protocol"] = protocolText!,
                    ["profile"] = options.Profile,
                }));
            }
            else
            {
                Console.WriteLine(LoadGenerator.Describe(summary, options));
            }

            return summary.AckedSpans > 0 ? 0 : 1;
        });
        return command;
    }

    public static TimeSpan? ParseDuration(string text)
    {
        var unit = text.TrimStart("0123456789.".ToCharArray());
        var number = text[..^unit.Length];
        double? factor = unit switch { "ms" => 0.001, "s" => 1, "m" => 60, "h" => 3600, _ => null };
        return factor is { } f && double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount > 0
            ? TimeSpan.FromSeconds(amount * f)
            : null;
    }
}
