using System.Text.Json;
using Ariadne.Model;
using Ariadne.Server.Ingest;
using Ariadne.Storage;
using Ariadne.TraceQL.Engine;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Query.Jaeger;

/// <summary>The Jaeger query service's HTTP API, so the Jaeger UI and Grafana's Jaeger data source work.</summary>
internal sealed class JaegerApi
{
    private readonly TraceLookup _traces;
    private readonly Tenancy.TenantStores _stores;
    private readonly TraceSearch _search;

    public JaegerApi(TraceLookup traces, Tenancy.TenantStores stores, TraceSearch search)
    {
        _traces = traces;
        _stores = stores;
        _search = search;
    }

    /// <summary>
    /// <c>GET /api/traces?service=&amp;operation=&amp;tags=&amp;tag=&amp;start=&amp;end=&amp;minDuration=&amp;maxDuration=&amp;limit=&amp;traceID=</c>:
    /// Jaeger's trace search. A trace matches when one of its spans has the service, the operation,
    /// every tag (on the span or its resource, compared as text) and a duration in range, and one of its
    /// spans lies between start and end (microseconds since the epoch). With <c>traceID</c>, those traces.
    /// </summary>
    public async Task SearchAsync(HttpContext context)
    {
        if (!_search.IsReadyFor(Tenancy.RequestTenant.From(context)))
        {
            context.Response.Headers.RetryAfter = "1";
            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "storage is starting");
            return;
        }

        var query = context.Request.Query;
        if (query["traceID"].Count > 0)
        {
            await GetTracesByIdAsync(context, query["traceID"]);
            return;
        }

        if (!JaegerSearchQuery.TryParse(query, out var search, out var error))
        {
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, error);
            return;
        }

        SearchResponse found;
        try
        {
            (found, _) = await _search.SearchAsync(Tenancy.RequestTenant.From(context), search.TraceQL, search.Request, context.RequestAborted);
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

        var traces = new List<SpanBatch>(found.Traces.Count);
        foreach (var trace in found.Traces)
        {
            traces.Add(trace.Trace!);
        }

        await HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, w => JaegerTraceWriter.WriteEnvelope(w, traces));
    }

    private Task GetTracesByIdAsync(HttpContext context, Microsoft.Extensions.Primitives.StringValues ids)
    {
        var traces = new List<SpanBatch>();
        foreach (var text in ids)
        {
            if (!TraceId.TryParseLenient(text, out var id) || !id.IsValid)
            {
                return WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"malformed trace id '{text}': expected up to 32 hexadecimal digits, not all zero");
            }

            if (_traces.TryGetTrace(Tenancy.RequestTenant.From(context), id, out var trace))
            {
                traces.Add(trace);
            }
        }

        return HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, w => JaegerTraceWriter.WriteEnvelope(w, traces));
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string message) =>
        HttpResponses.WriteJsonAsync(context, status, w => JaegerTraceWriter.WriteError(w, status, message));

    /// <summary><c>GET /api/services</c>: every service that has spans, sorted.</summary>
    public Task GetServicesAsync(HttpContext context)
    {
        var services = Services(_stores.For(Tenancy.RequestTenant.From(context)));
        return WriteListAsync(context, services.Count, writer =>
        {
            foreach (var service in services)
            {
                writer.WriteStringValue(service);
            }
        });
    }

    /// <summary><c>GET /api/services/{service}/operations</c>: the service's span names, sorted.</summary>
    public Task GetServiceOperationsAsync(HttpContext context, string service)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var operation in Operations(context))
        {
            if (ServiceMatches(operation, service))
            {
                names.Add(operation.Name);
            }
        }

        return WriteListAsync(context, names.Count, writer =>
        {
            foreach (var name in names)
            {
                writer.WriteStringValue(name);
            }
        });
    }

    /// <summary><c>GET /api/operations?service=&amp;spanKind=</c>: name and kind pairs, as Jaeger's newer endpoint returns them.</summary>
    public Task GetOperationsAsync(HttpContext context)
    {
        var service = context.Request.Query["service"].ToString();
        var spanKind = context.Request.Query["spanKind"].ToString();
        if (service.Length == 0)
        {
            return HttpResponses.WriteJsonAsync(context, StatusCodes.Status400BadRequest,
                w => JaegerTraceWriter.WriteError(w, StatusCodes.Status400BadRequest, "parameter 'service' is required"));
        }

        var pairs = OperationsOf(_stores.For(Tenancy.RequestTenant.From(context)), service, spanKind);
        return WriteListAsync(context, pairs.Count, writer =>
        {
            foreach (var (name, kind) in pairs)
            {
                writer.WriteStartObject();
                writer.WriteString("name", name);
                writer.WriteString("spanKind", kind);
                writer.WriteEndObject();
            }
        });
    }

    /// <summary>Every service with spans, sorted; spans without one under Jaeger's placeholder name.</summary>
    public static SortedSet<string> Services(StoreProvider stores)
    {
        var services = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var operation in stores.Store?.Operations() ?? [])
        {
            services.Add(operation.Service.Length == 0 ? JaegerTraceWriter.NoServiceName : operation.Service);
        }

        return services;
    }

    /// <summary>The service's (span name, kind) pairs, sorted, optionally of one kind only.</summary>
    public static SortedSet<(string Name, string Kind)> OperationsOf(StoreProvider stores, string service, string spanKind)
    {
        var pairs = new SortedSet<(string Name, string Kind)>();
        foreach (var operation in stores.Store?.Operations() ?? [])
        {
            var kind = JaegerTraceWriter.KindName(operation.Kind);
            if (ServiceMatches(operation, service) && (spanKind.Length == 0 || spanKind.Equals(kind, StringComparison.OrdinalIgnoreCase)))
            {
                pairs.Add((operation.Name, kind));
            }
        }

        return pairs;
    }

    private static bool ServiceMatches(SpanOperation operation, string service) =>
        operation.Service == service || (operation.Service.Length == 0 && service == JaegerTraceWriter.NoServiceName);

    private HashSet<SpanOperation> Operations(HttpContext context) => _stores.For(Tenancy.RequestTenant.From(context)).Store?.Operations() ?? [];

    private static Task WriteListAsync(HttpContext context, int count, Action<Utf8JsonWriter> writeItems) =>
        HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("data");
            writeItems(writer);
            writer.WriteEndArray();
            writer.WriteNumber("total", count);
            writer.WriteNumber("limit", 0);
            writer.WriteNumber("offset", 0);
            writer.WriteNull("errors");
            writer.WriteEndObject();
        });

    public Task GetTraceAsync(HttpContext context, string traceId)
    {
        if (!TraceId.TryParseLenient(traceId, out var id) || !id.IsValid)
        {
            return HttpResponses.WriteJsonAsync(context, StatusCodes.Status400BadRequest,
                w => JaegerTraceWriter.WriteError(w, StatusCodes.Status400BadRequest, $"malformed trace id '{traceId}': expected up to 32 hexadecimal digits, not all zero"));
        }

        if (!_traces.IsReadyFor(Tenancy.RequestTenant.From(context)))
        {
            context.Response.Headers.RetryAfter = "1";
            return HttpResponses.WriteJsonAsync(context, StatusCodes.Status503ServiceUnavailable,
                w => JaegerTraceWriter.WriteError(w, StatusCodes.Status503ServiceUnavailable, "storage is starting"));
        }

        if (!_traces.TryGetTrace(Tenancy.RequestTenant.From(context), id, out var trace))
        {
            return HttpResponses.WriteJsonAsync(context, StatusCodes.Status404NotFound,
                w => JaegerTraceWriter.WriteError(w, StatusCodes.Status404NotFound, "trace not found"));
        }

        return HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, w => JaegerTraceWriter.WriteEnvelope(w, [trace]));
    }
}
