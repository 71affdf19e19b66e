using System.Text.Json;
using Ariadne.Protocols.Otlp.Json;
using Ariadne.Server.Hosting;
using Ariadne.Server.Query;
using Ariadne.Server.Tenancy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Ariadne.Web.Timeline;

/// <summary>
/// The two reads the trace page's script makes: the waterfall's columns, and the trace as an OTLP JSON
/// file to download (the same shape the upload page and Tempo read).
/// </summary>
internal static class TimelineApi
{
    public const string TimelinePath = "/api/ui/timeline/{key}";
    public const string DownloadPath = "/api/ui/download/{key}";

    public static void Map(IEndpointRouteBuilder app, ListenerPortMetadata port)
    {
        var viewer = app.ServiceProvider.GetRequiredService<TraceViewer>();
        app.MapGet(TimelinePath, context => WriteAsync(context, viewer, download: false)).WithMetadata(port);
        app.MapGet(DownloadPath, context => WriteAsync(context, viewer, download: true)).WithMetadata(port);
    }

    private static Task WriteAsync(HttpContext context, TraceViewer viewer, bool download)
    {
        var key = context.Request.RouteValues["key"] as string ?? string.Empty;
        var tenant = RequestTenant.From(context);
        if (!viewer.IsReady(tenant) && !UploadedTraces.IsUploadKey(key))
        {
            context.Response.Headers.RetryAfter = "1";
            return HttpResponses.WriteJsonAsync(context, StatusCodes.Status503ServiceUnavailable, w => WriteError(w, "storage is starting"));
        }

        var view = viewer.LoadByKey(tenant, key);
        if (view is null)
        {
            return HttpResponses.WriteJsonAsync(context, StatusCodes.Status404NotFound, w => WriteError(w, $"trace '{key}' not found"));
        }

        context.Response.Headers.CacheControl = "no-store";
        if (download)
        {
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"trace-{view.Summary.TraceId}.json\"";
            return HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, w => OtlpJsonEncoder.WriteTracesData(view.Trace, w));
        }

        return HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, w => TimelineJson.Write(w, view));
    }

    private static void WriteError(Utf8JsonWriter w, string message)
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
    }
}
