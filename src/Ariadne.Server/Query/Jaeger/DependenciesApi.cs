using System.Globalization;
using Ariadne.Analysis.Metrics;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Query.Jaeger;

/// <summary>
/// <c>GET /api/dependencies?endTs=&amp;lookback=</c>: Jaeger's service dependency links (the Jaeger UI's
/// System Architecture view), from the service graph's per-minute call counts. Those live in memory
/// since the process started, back as far as <c>analysis.service_graph.dependencies_retention</c>.
/// </summary>
internal sealed class DependenciesApi
{
    /// <summary>Jaeger's default lookback.</summary>
    private const long DefaultLookbackMillis = 24 * 3_600_000L;

    private readonly Tenancy.TenantAnalyzers _analyzers;

    public DependenciesApi(Tenancy.TenantAnalyzers analyzers) => _analyzers = analyzers;

    public Task GetDependenciesAsync(HttpContext context)
    {
        var analysis = _analyzers.For(Tenancy.RequestTenant.From(context));
        var query = context.Request.Query;
        if (!TryMillis(query, "endTs", analysis.NowUnixMillis, out var end, out var error)
            || !TryMillis(query, "lookback", DefaultLookbackMillis, out var lookback, out error))
        {
            return HttpResponses.WriteJsonAsync(context, StatusCodes.Status400BadRequest, w => JaegerTraceWriter.WriteError(w, StatusCodes.Status400BadRequest, error));
        }

        var links = analysis.ServiceGraph?.Dependencies(end, lookback) ?? [];
        return HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("data");
            foreach (var (parent, child, callCount) in links)
            {
                writer.WriteStartObject();
                writer.WriteString("parent", parent);
                writer.WriteString("child", child);
                writer.WriteNumber("callCount", callCount);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("total", links.Count);
            writer.WriteNumber("limit", 0);
            writer.WriteNumber("offset", 0);
            writer.WriteNull("errors");
            writer.WriteEndObject();
        });
    }

    private static bool TryMillis(IQueryCollection query, string name, long absent, out long value, out string error)
    {
        error = string.Empty;
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            value = absent;
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        error = $"unable to parse param '{name}': expected milliseconds, a whole number of 0 or more, got '{text}'";
        return false;
    }
}
