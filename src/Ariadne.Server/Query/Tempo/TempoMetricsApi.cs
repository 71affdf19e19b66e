using System.Globalization;
using System.Text.Json;
using Ariadne.Storage.Search;
using Ariadne.TraceQL.Ast;
using Ariadne.TraceQL.Engine;
using Ariadne.TraceQL.Metrics;
using Ariadne.TraceQL.Syntax;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Query.Tempo;

/// <summary>
/// Tempo's TraceQL metrics API: <c>GET /api/metrics/query_range</c> (a series per label set, a sample per
/// step) and <c>GET /api/metrics/query</c> (one value per series over the whole window), in Tempo's JSON
/// shapes so Grafana's Tempo data source and Traces Drilldown draw them.
/// </summary>
internal sealed class TempoMetricsApi
{
    private const ulong NanosPerSecond = 1_000_000_000;
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(1);
    private readonly TraceSearch _search;
    private readonly TimeProvider _time;

    public TempoMetricsApi(TraceSearch search, TimeProvider time)
    {
        _search = search;
        _time = time;
    }

    public Task QueryRangeAsync(HttpContext context) => QueryAsync(context, instant: false);

    public Task QueryInstantAsync(HttpContext context) => QueryAsync(context, instant: true);

    private async Task QueryAsync(HttpContext context, bool instant)
    {
        if (!_search.IsReadyFor(Tenancy.RequestTenant.From(context)))
        {
            await HttpResponses.WriteStorageStartingAsync(context);
            return;
        }

        var now = (ulong)_time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        if (!TryReadRequest(context.Request.Query, now, instant, out var query, out var request, out var error))
        {
            await HttpResponses.WriteTextAsync(context, StatusCodes.Status400BadRequest, error);
            return;
        }

        await TempoSearchApi.RunAsync(
            context,
            "invalid TraceQL metrics query: ",
            () => _search.MetricsAsync(Tenancy.RequestTenant.From(context), query, request, context.RequestAborted),
            (writer, result) => Write(writer, result.Response, result.Scan, instant));
    }

    /// <summary>
    /// Reads <c>q</c>, <c>start</c>/<c>end</c> (Unix seconds, or nanoseconds when longer than 10 digits,
    /// or RFC 3339) or <c>since</c>, <c>step</c> (seconds or a duration such as 30s) and <c>exemplars</c>.
    /// The window defaults to the last hour; the step to a hundredth of it, at least a second.
    /// </summary>
    public static bool TryReadRequest(IQueryCollection query, ulong nowNanos, bool instant, out string traceQL, out MetricsRequest request, out string error)
    {
        request = null!;
        traceQL = query["q"].ToString();
        if (traceQL.Trim().Length == 0)
        {
            error = "parameter 'q' is required: a TraceQL metrics query such as { status = error } | rate()";
            return false;
        }

        ulong start, end = nowNanos;
        if (query.ContainsKey("end") && !TryTime(query["end"].ToString(), "end", out end, out error))
        {
            return false;
        }

        if (query.ContainsKey("start"))
        {
            if (!TryTime(query["start"].ToString(), "start", out start, out error))
            {
                return false;
            }
        }
        else if (query.ContainsKey("since"))
        {
            if (!TryDuration(query["since"].ToString(), out var since) || since == 0)
            {
                error = $"parameter 'since' must be a duration such as 15m, got '{query["since"]}'";
                return false;
            }

            start = end > since ? end - since : 0;
        }
        else
        {
            start = end - (ulong)DefaultWindow.Ticks * 100;
        }

        if (start >= end)
        {
            error = $"parameter 'start' must be before 'end', got start={start} end={end} (ns)";
            return false;
        }

        var step = Math.Max(NanosPerSecond, (end - start) / 100 / NanosPerSecond * NanosPerSecond);
        if (query.ContainsKey("step") && !instant)
        {
            if (!TryStep(query["step"].ToString(), out step) || step == 0)
            {
                error = $"parameter 'step' must be a positive number of seconds or a duration such as 30s, got '{query["step"]}'";
                return false;
            }
        }

        if (!instant && ((end - start) / step) + 2 > MetricsEngine.DefaultMaxIntervals)
        {
            error = $"the window holds more than {MetricsEngine.DefaultMaxIntervals} steps of {step / 1e9} s: use a larger step";
            return false;
        }

        var exemplars = 100;
        if (query.ContainsKey("exemplars") && (!int.TryParse(query["exemplars"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out exemplars) || exemplars > 10_000))
        {
            error = $"parameter 'exemplars' must be a count from 0 to 10000, got '{query["exemplars"]}'";
            return false;
        }

        request = new MetricsRequest { StartUnixNanos = start, EndUnixNanos = end, StepNanos = step, Instant = instant, MaxExemplars = exemplars };
        error = string.Empty;
        return true;
    }

    private static bool TryTime(string text, string name, out ulong nanos, out string error)
    {
        error = string.Empty;
        nanos = 0;
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var integer))
        {
            // Tempo's rule: ten digits or fewer are seconds, more are nanoseconds.
            nanos = text.Length <= 10 ? integer * NanosPerSecond : integer;
            return true;
        }

        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds < 1e11)
        {
            nanos = (ulong)(seconds * NanosPerSecond);
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) && time.ToUnixTimeMilliseconds() > 0)
        {
            nanos = (ulong)((time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100);
            return true;
        }

        error = $"parameter '{name}' must be Unix seconds, Unix nanoseconds or an RFC 3339 time, got '{text}'";
        return false;
    }

    private static bool TryStep(string text, out ulong nanos)
    {
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds < 1e9)
        {
            nanos = (ulong)(seconds * NanosPerSecond);
            return true;
        }

        return TryDuration(text, out nanos);
    }

    /// <summary>Durations as Go and Prometheus write them: 500ms, 30s, 5m, 1h30m, 2d.</summary>
    private static bool TryDuration(string text, out ulong nanos)
    {
        nanos = 0;
        var i = 0;
        while (i < text.Length)
        {
            var numberStart = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (i == numberStart || !double.TryParse(text.AsSpan(numberStart, i - numberStart), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]) || (i < text.Length && text[i] == 'µ'))
            {
                i++;
            }

            double unit = text[unitStart..i] switch
            {
                "ns" => 1,
                "us" or "µs" => 1e3,
                "ms" => 1e6,
                "s" => 1e9,
                "m" => 60e9,
                "h" => 3600e9,
                "d" => 86400e9,
                "w" => 7 * 86400e9,
                _ => double.NaN,
            };
            if (double.IsNaN(unit))
            {
                return false;
            }

            nanos += (ulong)(number * unit);
        }

        return text.Length > 0;
    }

    private static void Write(Utf8JsonWriter writer, MetricsResponse response, ScanMetrics scan, bool instant)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("series");
        foreach (var series in response.Series)
        {
            writer.WriteStartObject();
            TempoSearchApi.WriteKeyValues(writer, "labels", series.Labels);
            if (instant)
            {
                WriteNumber(writer, "value", series.Values.Length == 0 ? double.NaN : series.Values[0]);
            }
            else
            {
                writer.WriteStartArray("samples");
                for (var i = 0; i < series.Values.Length; i++)
                {
                    if (double.IsNaN(series.Values[i]))
                    {
                        continue;
                    }

                    writer.WriteStartObject();
                    writer.WriteString("timestampMs", response.TimestampMs(i).ToString(CultureInfo.InvariantCulture));
                    WriteNumber(writer, "value", series.Values[i]);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteStartArray("exemplars");
                foreach (var exemplar in series.Exemplars)
                {
                    writer.WriteStartObject();
                    writer.WriteStartArray("labels");
                    writer.WriteStartObject();
                    writer.WriteString("key", "trace:id");
                    writer.WriteStartObject("value");
                    writer.WriteString("stringValue", exemplar.TraceId);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                    writer.WriteStartObject();
                    writer.WriteString("key", "span:id");
                    writer.WriteStartObject("value");
                    writer.WriteString("stringValue", exemplar.SpanId);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                    writer.WriteEndArray();
                    WriteNumber(writer, "value", exemplar.Value);
                    writer.WriteString("timestampMs", exemplar.TimestampMs.ToString(CultureInfo.InvariantCulture));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("metrics");
        writer.WriteString("inspectedSpans", response.InspectedSpans.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("inspectedTraces", response.InspectedTraces.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("inspectedBytes", scan.BytesRead.ToString(CultureInfo.InvariantCulture));
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }
}
