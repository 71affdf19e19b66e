using System.Globalization;
using System.Text.Json;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Json;
using Ariadne.Server.Ingest;
using Ariadne.TraceQL.Engine;
using Ariadne.TraceQL.Syntax;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Query.Jaeger;

/// <summary>
/// Jaeger's api_v3 over HTTP (its gRPC gateway's JSON): services, operations, a trace by id and trace
/// search, with traces as OTLP JSON wrapped in <c>{"result": …}</c> and errors as
/// <c>{"error": {"grpcCode", "httpCode", "message", "httpStatus"}}</c>.
/// </summary>
internal sealed class JaegerV3Api
{
    private readonly TraceLookup _traces;
    private readonly Tenancy.TenantStores _stores;
    private readonly TraceSearch _search;

    public JaegerV3Api(TraceLookup traces, Tenancy.TenantStores stores, TraceSearch search)
    {
        _traces = traces;
        _stores = stores;
        _search = search;
    }

    /// <summary><c>GET /api/v3/services</c> → <c>{"services":[…]}</c>.</summary>
    public Task GetServicesAsync(HttpContext context)
    {
        var services = JaegerApi.Services(_stores.For(Tenancy.RequestTenant.From(context)));
        return HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("services");
            foreach (var service in services)
            {
                writer.WriteStringValue(service);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary><c>GET /api/v3/operations?service=&amp;span_kind=</c> → <c>{"operations":[{"name","spanKind"}]}</c>.</summary>
    public Task GetOperationsAsync(HttpContext context)
    {
        var service = context.Request.Query["service"].ToString();
        var spanKind = context.Request.Query["span_kind"].ToString();
        if (service.Length == 0)
        {
            return WriteErrorAsync(context, StatusCodes.Status400BadRequest, "parameter 'service' is required");
        }

        var pairs = JaegerApi.OperationsOf(_stores.For(Tenancy.RequestTenant.From(context)), service, spanKind);
        return HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("operations");
            foreach (var (name, kind) in pairs)
            {
                writer.WriteStartObject();
                writer.WriteString("name", name);
                writer.WriteString("spanKind", kind);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary><c>GET /api/v3/traces/{trace_id}</c>: the trace as OTLP JSON in <c>{"result": …}</c>.</summary>
    public Task GetTraceAsync(HttpContext context, string traceId)
    {
        if (!TraceId.TryParseLenient(traceId, out var id) || !id.IsValid)
        {
            return WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"malformed trace id '{traceId}': expected up to 32 hexadecimal digits, not all zero");
        }

        if (!_traces.IsReadyFor(Tenancy.RequestTenant.From(context)))
        {
            context.Response.Headers.RetryAfter = "1";
            return WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "storage is starting");
        }

        return _traces.TryGetTrace(Tenancy.RequestTenant.From(context), id, out var trace)
            ? WriteResultAsync(context, trace)
            : WriteErrorAsync(context, StatusCodes.Status404NotFound, "trace not found");
    }

    /// <summary>
    /// <c>GET /api/v3/traces?query.service_name=&amp;query.operation_name=&amp;query.attributes=&amp;query.start_time_min=&amp;query.start_time_max=&amp;query.duration_min=&amp;query.duration_max=&amp;query.search_depth=</c>:
    /// the traces with a span that meets every parameter, all in one OTLP JSON result; none is a 404, as in Jaeger.
    /// </summary>
    public async Task FindTracesAsync(HttpContext context)
    {
        if (!_search.IsReadyFor(Tenancy.RequestTenant.From(context)))
        {
            context.Response.Headers.RetryAfter = "1";
            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "storage is starting");
            return;
        }

        if (!TryReadQuery(context.Request.Query, out var traceQL, out var request, out var error))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, error);
            return;
        }

        SearchResponse found;
        try
        {
            (found, _) = await _search.SearchAsync(Tenancy.RequestTenant.From(context), traceQL, request, context.RequestAborted);
        }
        catch (TraceQLTimeoutException e)
        {
            await WriteErrorAsync(context, StatusCodes.Status504GatewayTimeout, e.Message);
            return;
        }
        catch (QueryLimitException e)
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, e.Message);
            return;
        }

        if (found.Traces.Count == 0)
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, "No traces found");
            return;
        }

        var all = new SpanBatch();
        var copier = new SpanCopier(all);
        foreach (var trace in found.Traces)
        {
            for (var i = 0; i < trace.Trace!.SpanCount; i++)
            {
                copier.CopySpan(trace.Trace, i);
            }
        }

        await WriteResultAsync(context, all);
    }

    public static bool TryReadQuery(IQueryCollection query, out string traceQL, out SearchRequest request, out string error)
    {
        traceQL = string.Empty;
        request = new SearchRequest();
        var conditions = new List<string>();
        var service = query["query.service_name"].ToString();
        if (service.Length > 0)
        {
            conditions.Add("resource.service.name = " + Printer.Quote(service));
        }

        var operation = query["query.operation_name"].ToString();
        if (operation.Length > 0)
        {
            conditions.Add("name = " + Printer.Quote(operation));
        }

        var attributes = query["query.attributes"].ToString();
        if (attributes.Length > 0 && !JaegerSearchQuery.TryParseTagsJson(attributes, conditions, out error))
        {
            error = "'query.attributes' " + error;
            return false;
        }

        if (!QueryParameters.TryAddSpanDurations(query, "query.duration_min", "query.duration_max", conditions, out error)
            || !TryTimestamp(query, "query.start_time_min", out var start, out error)
            || !TryTimestamp(query, "query.start_time_max", out var end, out error)
            || !QueryParameters.CheckOrder(start, end, "query.start_time_min", "query.start_time_max", out error)
            || !QueryParameters.TryCount(query, "query.search_depth", out var depth, out error))
        {
            return false;
        }

        traceQL = conditions.Count == 0 ? "{ }" : "{ " + string.Join(" && ", conditions) + " }";
        request = new SearchRequest { StartUnixNanos = start, EndUnixNanos = end, Limit = depth, SpansPerSpanSet = 1, IncludeTraces = true };
        error = string.Empty;
        return true;
    }

    /// <summary>RFC 3339 timestamps, as the gateway reads google.protobuf.Timestamp.</summary>
    private static bool TryTimestamp(IQueryCollection query, string name, out ulong nanos, out string error)
    {
        nanos = 0;
        error = string.Empty;
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) || time.UtcDateTime < DateTime.UnixEpoch)
        {
            error = $"'{name}' must be an RFC 3339 time such as 2026-01-02T15:04:05Z, got '{text}'";
            return false;
        }

        nanos = (ulong)(time.UtcDateTime - DateTime.UnixEpoch).Ticks * 100;
        return true;
    }

    private static Task WriteResultAsync(HttpContext context, SpanBatch trace) =>
        HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WritePropertyName("result");
            OtlpJsonEncoder.WriteTracesData(trace, writer);
            writer.WriteEndObject();
        });

    private static Task WriteErrorAsync(HttpContext context, int status, string message) =>
        HttpResponses.WriteJsonAsync(context, status, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteNumber("grpcCode", status switch
            {
                StatusCodes.Status400BadRequest => 3,
                StatusCodes.Status404NotFound => 5,
                StatusCodes.Status503ServiceUnavailable => 14,
                StatusCodes.Status504GatewayTimeout => 4,
                _ => 2,
            });
            writer.WriteNumber("httpCode", status);
            writer.WriteString("message", message);
            writer.WriteString("httpStatus", ReasonPhrase(status));
            writer.WriteEndObject();
            writer.WriteEndObject();
        });

    private static string ReasonPhrase(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad Request",
        StatusCodes.Status404NotFound => "Not Found",
        StatusCodes.Status503ServiceUnavailable => "Service Unavailable",
        StatusCodes.Status504GatewayTimeout => "Gateway Timeout",
        _ => "Internal Server Error",
    };
}
