using Ariadne.Model;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Query.Jaeger;

/// <summary>The Jaeger query service's HTTP API, so the Jaeger UI and Grafana's Jaeger data source work.</summary>
internal sealed class JaegerApi
{
    private readonly TraceLookup _traces;

    public JaegerApi(TraceLookup traces) => _traces = traces;

    public Task GetTraceAsync(HttpContext context, string traceId)
    {
        if (!TraceId.TryParseLenient(traceId, out var id) || !id.IsValid)
        {
            return HttpResponses.WriteJsonAsync(context, StatusCodes.Status400BadRequest,
                w => JaegerTraceWriter.WriteError(w, StatusCodes.Status400BadRequest, $"malformed trace id '{traceId}': expected up to 32 hexadecimal digits, not all zero"));
        }

        if (!_traces.IsReady)
        {
            context.Response.Headers.RetryAfter = "1";
            return HttpResponses.WriteJsonAsync(context, StatusCodes.Status503ServiceUnavailable,
                w => JaegerTraceWriter.WriteError(w, StatusCodes.Status503ServiceUnavailable, "storage is starting"));
        }

        if (!_traces.TryGetTrace(id, out var trace))
        {
            return HttpResponses.WriteJsonAsync(context, StatusCodes.Status404NotFound,
                w => JaegerTraceWriter.WriteError(w, StatusCodes.Status404NotFound, "trace not found"));
        }

        return HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, w => JaegerTraceWriter.WriteEnvelope(w, [trace]));
    }
}
