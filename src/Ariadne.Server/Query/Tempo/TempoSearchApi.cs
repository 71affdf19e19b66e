using System.Globalization;
using System.Text;
using System.Text.Json;
using Ariadne.Server.Configuration;
using Ariadne.Server.Query.Jaeger;
using Ariadne.Storage.Search;
using Ariadne.TraceQL.Ast;
using Ariadne.TraceQL.Engine;
using Ariadne.TraceQL.Syntax;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Query.Tempo;

/// <summary>
/// Tempo's <c>GET /api/search</c>: a TraceQL query (<c>q</c>) or logfmt tags (<c>tags</c>), with trace
/// duration bounds, a time range in Unix seconds, <c>limit</c> and spans per spanset (<c>spss</c>),
/// answered in Tempo's JSON shape so Grafana's Tempo data source shows the results.
/// </summary>
internal sealed class TempoSearchApi
{
    private readonly TraceSearch _search;

    public TempoSearchApi(TraceSearch search) => _search = search;

    public async Task SearchAsync(HttpContext context)
    {
        if (!_search.IsReadyFor(Tenancy.RequestTenant.From(context)))
        {
            await HttpResponses.WriteStorageStartingAsync(context);
            return;
        }

        if (!TryReadRequest(context.Request.Query, out var traceQL, out var request, out var error))
        {
            await HttpResponses.WriteTextAsync(context, StatusCodes.Status400BadRequest, error);
            return;
        }

        await RunAsync(
            context,
            "invalid TraceQL query: ",
            () => _search.SearchAsync(Tenancy.RequestTenant.From(context), traceQL, request, context.RequestAborted),
            static (writer, result) => Write(writer, result.Response, result.Scan));
    }

    /// <summary>
    /// Runs a TraceQL query and writes its answer as JSON, or its failure as Tempo does, in plain text:
    /// an invalid query is a 400 (<paramref name="invalid"/> and the position and reason), a query past
    /// its timeout a 504.
    /// </summary>
    internal static async Task RunAsync<T>(HttpContext context, string invalid, Func<Task<T>> run, Action<Utf8JsonWriter, T> write)
    {
        T result;
        try
        {
            result = await run();
        }
        catch (TraceQLException e)
        {
            await HttpResponses.WriteTextAsync(context, StatusCodes.Status400BadRequest, invalid + e.Message);
            return;
        }
        catch (TraceQLTimeoutException e)
        {
            await HttpResponses.WriteTextAsync(context, StatusCodes.Status504GatewayTimeout, e.Message);
            return;
        }
        catch (QueryLimitException e)
        {
            await HttpResponses.WriteTextAsync(context, StatusCodes.Status400BadRequest, e.Message);
            return;
        }

        await HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, writer => write(writer, result));
    }

    /// <summary>Reads Tempo's search parameters; <c>q</c> wins over <c>tags</c>, and neither means every trace.</summary>
    public static bool TryReadRequest(IQueryCollection query, out string traceQL, out SearchRequest request, out string error)
    {
        request = new SearchRequest();
        traceQL = query["q"].ToString();
        if (traceQL.Trim().Length == 0)
        {
            if (!TryTranslateTags(query["tags"].ToString(), out traceQL, out error))
            {
                return false;
            }
        }

        error = string.Empty;
        if (!QueryParameters.TryDuration(query, "minDuration", out var min, out error)
            || !QueryParameters.TryDuration(query, "maxDuration", out var max, out error))
        {
            return false;
        }

        if (min is { } low && max is { } high && low > high)
        {
            error = "'minDuration' must not be greater than 'maxDuration'";
            return false;
        }

        if (!TempoTagsApi.TrySeconds(query["start"].ToString(), "start", out var start, ref error)
            || !TempoTagsApi.TrySeconds(query["end"].ToString(), "end", out var end, ref error))
        {
            return false;
        }

        if (!QueryParameters.CheckOrder(start, end, "start", "end", out error)
            || !QueryParameters.TryCount(query, "limit", out var limit, out error)
            || !QueryParameters.TryCount(query, "spss", out var spss, out error))
        {
            return false;
        }

        request = new SearchRequest
        {
            StartUnixNanos = start,

            // Tempo's end is a whole second; a trace that started within it is in range.
            EndUnixNanos = end == 0 ? 0 : end + 999_999_999,
            Limit = limit,
            SpansPerSpanSet = spss,
            MinTraceDurationNanos = min,
            MaxTraceDurationNanos = max,
        };
        return true;
    }

    /// <summary>
    /// Tempo's legacy search: <c>tags</c> in logfmt (<c>service.name=api http.status_code=500 name="GET /"</c>)
    /// is one span filter. <c>name</c>, <c>status</c>/<c>status.code</c>, <c>service.name</c>,
    /// <c>root.name</c> and <c>root.service.name</c> are the intrinsics; other keys are attributes matched as text.
    /// </summary>
    public static bool TryTranslateTags(string logfmt, out string traceQL, out string error)
    {
        traceQL = "{ }";
        if (!Logfmt.TryParse(logfmt, out var pairs, out error))
        {
            error = "'tags' " + error;
            return false;
        }

        var conditions = new List<string>(pairs.Count);
        foreach (var (key, value) in pairs)
        {
            switch (key)
            {
                case "name":
                    conditions.Add("name = " + Printer.Quote(value));
                    break;
                case "service.name":
                    conditions.Add("resource.service.name = " + Printer.Quote(value));
                    break;
                case "root.name":
                    conditions.Add("rootName = " + Printer.Quote(value));
                    break;
                case "root.service.name":
                    conditions.Add("rootServiceName = " + Printer.Quote(value));
                    break;
                case "status" or "status.code":
                    var status = value.ToLowerInvariant() switch
                    {
                        "error" or "2" or "status_code_error" => "error",
                        "ok" or "1" or "status_code_ok" => "ok",
                        "unset" or "0" or "status_code_unset" => "unset",
                        _ => null,
                    };
                    if (status is null)
                    {
                        error = $"'tags': status must be error, ok or unset, got '{value}'";
                        return false;
                    }

                    conditions.Add("status = " + status);
                    break;
                default:
                    conditions.Add(JaegerSearchQuery.TagCondition(key, value));
                    break;
            }
        }

        if (conditions.Count > 0)
        {
            traceQL = "{ " + string.Join(" && ", conditions) + " }";
        }

        return true;
    }

    private static void Write(Utf8JsonWriter writer, SearchResponse response, ScanMetrics scan)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("traces");
        foreach (var trace in response.Traces)
        {
            writer.WriteStartObject();
            writer.WriteString("traceID", trace.TraceId.ToString());
            writer.WriteString("rootServiceName", trace.RootServiceName);
            writer.WriteString("rootTraceName", trace.RootTraceName);
            writer.WriteString("startTimeUnixNano", trace.StartTimeUnixNano.ToString(CultureInfo.InvariantCulture));
            writer.WriteNumber("durationMs", trace.DurationMs);
            writer.WriteStartArray("spanSets");
            foreach (var spanset in trace.SpanSets)
            {
                WriteSpanset(writer, spanset);
            }

            writer.WriteEndArray();

            // Tempo still fills the single spanSet field older Grafana versions read.
            if (trace.SpanSets.Count > 0)
            {
                writer.WritePropertyName("spanSet");
                WriteSpanset(writer, trace.SpanSets[0]);
            }

            writer.WriteStartObject("serviceStats");
            foreach (var (service, stats) in trace.ServiceStats)
            {
                writer.WriteStartObject(service);
                writer.WriteNumber("spanCount", stats.SpanCount);
                if (stats.ErrorCount > 0)
                {
                    writer.WriteNumber("errorCount", stats.ErrorCount);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject("metrics");
        writer.WriteNumber("inspectedTraces", response.Metrics.InspectedTraces);
        writer.WriteString("inspectedSpans", response.Metrics.InspectedSpans.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("inspectedBytes", scan.BytesRead.ToString(CultureInfo.InvariantCulture));
        writer.WriteNumber("skippedBlocks", scan.BlocksSkipped);
        writer.WriteNumber("skippedPages", scan.PagesSkippedByIndex + scan.PagesSkippedByStrings);
        writer.WriteNumber("decodedPages", scan.PagesDecoded);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteSpanset(Utf8JsonWriter writer, SpansetSummary spanset)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("spans");
        foreach (var span in spanset.Spans)
        {
            writer.WriteStartObject();
            writer.WriteString("spanID", span.SpanId.ToString());
            writer.WriteString("name", span.Name);
            writer.WriteString("startTimeUnixNano", span.StartTimeUnixNano.ToString(CultureInfo.InvariantCulture));
            writer.WriteString("durationNanos", span.DurationNanos.ToString(CultureInfo.InvariantCulture));
            WriteAttributes(writer, span.Attributes);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("matched", spanset.Matched);
        WriteAttributes(writer, spanset.Attributes);
        writer.WriteEndObject();
    }

    /// <summary>Attributes as OTLP JSON key/values; durations, statuses and kinds as their TraceQL text.</summary>
    private static void WriteAttributes(Utf8JsonWriter writer, IReadOnlyList<(string Name, StaticValue Value)> attributes)
    {
        if (attributes.Count == 0)
        {
            return;
        }

        WriteKeyValues(writer, "attributes", attributes);
    }

    /// <summary>Values as OTLP JSON key/values; durations, statuses and kinds as their TraceQL text.</summary>
    internal static void WriteKeyValues(Utf8JsonWriter writer, string property, IReadOnlyList<(string Name, StaticValue Value)> attributes)
    {
        writer.WriteStartArray(property);
        foreach (var (name, value) in attributes)
        {
            writer.WriteStartObject();
            writer.WriteString("key", name);
            writer.WriteStartObject("value");
            switch (value.Kind)
            {
                case StaticKind.String:
                    writer.WriteString("stringValue", value.Text);
                    break;
                case StaticKind.Int:
                    writer.WriteString("intValue", value.Integer.ToString(CultureInfo.InvariantCulture));
                    break;
                case StaticKind.Float when double.IsFinite(value.Float):
                    writer.WriteNumber("doubleValue", value.Float);
                    break;
                case StaticKind.Float:
                    writer.WriteString("doubleValue", double.IsNaN(value.Float) ? "NaN" : value.Float > 0 ? "Infinity" : "-Infinity");
                    break;
                case StaticKind.Bool:
                    writer.WriteBoolean("boolValue", value.BoolValue);
                    break;
                default:
                    var text = new StringBuilder();
                    Printer.Write(text, value);
                    writer.WriteString("stringValue", text.ToString());
                    break;
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
