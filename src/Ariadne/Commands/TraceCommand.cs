using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ariadne.Cli.Commands;

/// <summary><c>ariadne trace ID</c>: fetch a trace from a running server and print it as an indented waterfall.</summary>
internal static class TraceCommand
{
    private const int BarWidth = 40;

    public static Command Create()
    {
        var id = new Argument<string>("trace-id") { Description = "The trace id (32 hexadecimal digits; shorter ids are zero-padded)." };
        var server = ServerOption.Create();
        var key = ServerOption.CreateKey();
        var tenant = ServerOption.CreateTenant();
        var command = new Command("trace", "Print a trace from a running server as a waterfall: one line per span, children indented under their parent.");
        command.Arguments.Add(id);
        command.Options.Add(server);
        command.Options.Add(key);
        command.Options.Add(tenant);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var body = await ServerOption.GetAsync(parse.GetValue(server)!, parse.GetValue(key), parse.GetValue(tenant), "/api/v3/traces/" + Uri.EscapeDataString(parse.GetValue(id)!), cancellationToken);
            if (body is null)
            {
                return 1;
            }

            using var json = JsonDocument.Parse(body);
            Console.Write(Render(json.RootElement.GetProperty("result")));
            return 0;
        });
        return command;
    }

    private sealed record Span(string Id, string ParentId, string TraceId, string Name, string Service, ulong Start, ulong End, bool Error, string StatusMessage)
    {
        public List<Span> Children { get; } = [];
    }

    /// <summary>The waterfall of an OTLP JSON <c>TracesData</c>: roots (and spans whose parent is missing) at the left.</summary>
    public static string Render(JsonElement tracesData)
    {
        var spans = new List<Span>();
        foreach (var rs in tracesData.GetProperty("resourceSpans").EnumerateArray())
        {
            var service = "<unknown service>";
            if (rs.TryGetProperty("resource", out var resource) && resource.TryGetProperty("attributes", out var attributes))
            {
                foreach (var attribute in attributes.EnumerateArray())
                {
                    if (attribute.GetProperty("key").GetString() == "service.name" && attribute.GetProperty("value").TryGetProperty("stringValue", out var name))
                    {
                        service = name.GetString()!;
                    }
                }
            }

            foreach (var ss in rs.GetProperty("scopeSpans").EnumerateArray())
            {
                foreach (var span in ss.GetProperty("spans").EnumerateArray())
                {
                    var status = span.TryGetProperty("status", out var s) ? s : default;
                    spans.Add(new Span(
                        span.GetProperty("spanId").GetString()!,
                        span.TryGetProperty("parentSpanId", out var parent) ? parent.GetString() ?? string.Empty : string.Empty,
                        span.GetProperty("traceId").GetString()!,
                        span.GetProperty("name").GetString()!,
                        service,
                        ulong.Parse(span.GetProperty("startTimeUnixNano").GetString()!, CultureInfo.InvariantCulture),
                        ulong.Parse(span.GetProperty("endTimeUnixNano").GetString()!, CultureInfo.InvariantCulture),
                        status.ValueKind == JsonValueKind.Object && status.TryGetProperty("code", out var code) && code.GetInt32() == 2,
                        status.ValueKind == JsonValueKind.Object && status.TryGetProperty("message", out var message) ? message.GetString() ?? string.Empty : string.Empty));
                }
            }
        }

        if (spans.Count == 0)
        {
            return "the trace has no spans\n";
        }

        var byId = new Dictionary<string, Span>(StringComparer.Ordinal);
        foreach (var span in spans)
        {
            byId.TryAdd(span.Id, span);
        }

        var roots = new List<Span>();
        foreach (var span in spans)
        {
            if (span.ParentId.Length > 0 && span.ParentId != span.Id && byId.TryGetValue(span.ParentId, out var parent))
            {
                parent.Children.Add(span);
            }
            else
            {
                roots.Add(span);
            }
        }

        ulong first = ulong.MaxValue, last = 0;
        var services = new HashSet<string>(StringComparer.Ordinal);
        foreach (var span in spans)
        {
            first = Math.Min(first, span.Start);
            last = Math.Max(last, Math.Max(span.End, span.Start));
            services.Add(span.Service);
        }

        var output = new StringBuilder();
        output.Append("trace ").Append(spans[0].TraceId).Append("  ")
            .Append(spans.Count).Append(spans.Count == 1 ? " span  " : " spans  ")
            .Append(services.Count).Append(services.Count == 1 ? " service  " : " services  ")
            .Append(Duration(last - first)).Append('\n');
        var visited = new HashSet<Span>(ReferenceEqualityComparer.Instance);
        foreach (var root in Ordered(roots))
        {
            Write(output, root, 0, first, last - first, visited);
        }

        return output.ToString();
    }

    private static void Write(StringBuilder output, Span span, int depth, ulong origin, ulong total, HashSet<Span> visited)
    {
        if (!visited.Add(span))
        {
            return;
        }

        var duration = span.End > span.Start ? span.End - span.Start : 0;
        var from = total == 0 ? 0 : (int)Math.Min(BarWidth - 1, (span.Start - origin) * (double)BarWidth / total);
        var to = total == 0 ? BarWidth : (int)Math.Ceiling(Math.Min(BarWidth, (span.Start - origin + duration) * (double)BarWidth / total));
        to = Math.Max(to, from + 1);
        output.Append('|');
        for (var i = 0; i < BarWidth; i++)
        {
            output.Append(i >= from && i < to ? '█' : ' ');
        }

        output.Append("| ").Append(Duration(duration).PadLeft(10)).Append("  ")
            .Append(new string(' ', 2 * depth)).Append(span.Name)
            .Append("  (").Append(span.Service).Append(')');
        if (span.Error)
        {
            output.Append("  ! error").Append(span.StatusMessage.Length > 0 ? ": " + span.StatusMessage : string.Empty);
        }

        output.Append('\n');
        foreach (var child in Ordered(span.Children))
        {
            Write(output, child, depth + 1, origin, total, visited);
        }
    }

    private static List<Span> Ordered(List<Span> spans)
    {
        var ordered = new List<Span>(spans);
        ordered.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : string.CompareOrdinal(a.Id, b.Id));
        return ordered;
    }

    private static string Duration(ulong nanos) => nanos switch
    {
        >= 60_000_000_000 => (nanos / 60e9).ToString("0.##", CultureInfo.InvariantCulture) + " min",
        >= 1_000_000_000 => (nanos / 1e9).ToString("0.###", CultureInfo.InvariantCulture) + " s",
        >= 1_000_000 => (nanos / 1e6).ToString("0.###", CultureInfo.InvariantCulture) + " ms",
        >= 1_000 => (nanos / 1e3).ToString("0.###", CultureInfo.InvariantCulture) + " µs",
        _ => nanos.ToString(CultureInfo.InvariantCulture) + " ns",
    };
}
