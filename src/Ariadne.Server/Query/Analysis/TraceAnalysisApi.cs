using Ariadne.Analysis.Traces;
using Ariadne.Model;
using Ariadne.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ariadne.Server.Query.Analysis;

/// <summary>
/// Ariadne's own trace-analysis API on the query port: one trace explained (summary, critical path,
/// orphans, clock-skew warnings) and two traces compared. Shapes are documented in docs/api.md,
/// "Trace comparison".
/// </summary>
internal sealed class TraceAnalysisApi
{
    public const string DiffPath = "/api/v1/diff";
    public const string AnalysisPath = "/api/v1/traces/{traceId}/analysis";

    private readonly TraceLookup _traces;

    public TraceAnalysisApi(TraceLookup traces) => _traces = traces;

    /// <summary>Adds both endpoints on the query listener.</summary>
    public static void Map(IEndpointRouteBuilder app, int queryPort)
    {
        var api = new TraceAnalysisApi(app.ServiceProvider.GetRequiredService<TraceLookup>());
        app.MapGet(DiffPath, api.DiffAsync).WithMetadata(new ListenerPortMetadata(queryPort));
        app.MapGet(AnalysisPath, context => api.AnalyzeAsync(context, context.Request.RouteValues["traceId"] as string ?? string.Empty))
            .WithMetadata(new ListenerPortMetadata(queryPort));
    }

    /// <summary><c>GET /api/v1/diff?a=TRACEID&amp;b=TRACEID</c>: B compared with A.</summary>
    public Task DiffAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (!TryParseId(query["a"].ToString(), "a", out var idA, out var error) || !TryParseId(query["b"].ToString(), "b", out var idB, out error))
        {
            return WriteErrorAsync(context, StatusCodes.Status400BadRequest, error);
        }

        if (!_traces.IsReadyFor(Tenancy.RequestTenant.From(context)))
        {
            return WriteNotReadyAsync(context);
        }

        if (!_traces.TryGetTrace(Tenancy.RequestTenant.From(context), idA, out var traceA))
        {
            return WriteErrorAsync(context, StatusCodes.Status404NotFound, $"trace a '{idA}' not found");
        }

        if (!_traces.TryGetTrace(Tenancy.RequestTenant.From(context), idB, out var traceB))
        {
            return WriteErrorAsync(context, StatusCodes.Status404NotFound, $"trace b '{idB}' not found");
        }

        var diff = TraceDiff.Compare(SpanTree.Build(traceA), SpanTree.Build(traceB));
        return HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, w => TraceAnalysisJson.WriteDiff(w, idA, idB, diff));
    }

    /// <summary><c>GET /api/v1/traces/{traceId}/analysis</c>.</summary>
    public Task AnalyzeAsync(HttpContext context, string traceId)
    {
        if (!TryParseId(traceId, "traceId", out var id, out var error))
        {
            return WriteErrorAsync(context, StatusCodes.Status400BadRequest, error);
        }

        if (!_traces.IsReadyFor(Tenancy.RequestTenant.From(context)))
        {
            return WriteNotReadyAsync(context);
        }

        if (!_traces.TryGetTrace(Tenancy.RequestTenant.From(context), id, out var trace))
        {
            return WriteErrorAsync(context, StatusCodes.Status404NotFound, $"trace '{id}' not found");
        }

        var tree = SpanTree.Build(trace);
        var skew = ClockSkewAdjustment.Compute(tree);
        var path = CriticalPath.Compute(skew);
        var summary = TraceSummary.Compute(tree);
        return HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, w => TraceAnalysisJson.WriteAnalysis(w, id, summary, path, skew));
    }

    private static bool TryParseId(string text, string name, out TraceId id, out string error)
    {
        if (text.Length == 0)
        {
            id = default;
            error = $"parameter '{name}' is required: a trace id of up to 32 hexadecimal digits";
            return false;
        }

        if (!TraceId.TryParseLenient(text, out id) || !id.IsValid)
        {
            error = $"malformed trace id '{text}' in '{name}': expected up to 32 hexadecimal digits, not all zero";
            return false;
        }

        error = string.Empty;
        return true;
    }

    private static Task WriteNotReadyAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "1";
        return WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "storage is starting");
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string message) =>
        HttpResponses.WriteJsonAsync(context, status, w => TraceAnalysisJson.WriteError(w, status, message));
}
