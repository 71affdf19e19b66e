using System.Diagnostics;
using System.Globalization;
using Ariadne.Instrumentation.Propagation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ariadne.Instrumentation;

/// <summary>Gives ASP.NET Core's server span its name and HTTP attributes, applies the edge trust policy's link, and writes <c>traceresponse</c>.</summary>
internal sealed class ServerSpanMiddleware(RequestDelegate next, AriadneTracingOptions options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var activity = Activity.Current;
        if (activity is null || activity.Source.Name != AriadneTracingExtensions.AspNetCoreSource)
        {
            await next(context);
            return;
        }

        var request = context.Request;
        if (options.EdgeTrust == EdgeTrust.Untrusted
            && AriadnePropagator.TryExtract(request.Headers, ReadHeader, out var inbound))
        {
            activity.AddLink(new ActivityLink(inbound, new ActivityTagsCollection { ["ariadne.link.reason"] = "untrusted inbound context" }));
        }

        if (options.TraceResponse)
        {
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[TraceContext.TraceResponseHeader] = TraceContext.FormatTraceParent(activity.Context);
                return Task.CompletedTask;
            });
        }

        activity.SetTag("http.request.method", request.Method);
        activity.SetTag("url.path", request.Path.Value);
        activity.SetTag("url.scheme", request.Scheme);
        activity.SetTag("server.address", request.Host.Host);
        if (request.Host.Port is { } port)
        {
            activity.SetTag("server.port", port);
        }

        try
        {
            await next(context);
        }
        catch (Exception e)
        {
            activity.AddException(e);
            activity.SetStatus(ActivityStatusCode.Error, e.Message);
            activity.SetTag("http.response.status_code", StatusCodes.Status500InternalServerError);
            Name(context, activity);
            throw;
        }

        var status = context.Response.StatusCode;
        activity.SetTag("http.response.status_code", status);
        if (status >= 500)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }

        Name(context, activity);
    }

    private static void Name(HttpContext context, Activity activity)
    {
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        if (route is not null)
        {
            route = route.StartsWith('/') ? route : "/" + route;
            activity.SetTag("http.route", route);
            activity.DisplayName = string.Create(CultureInfo.InvariantCulture, $"{context.Request.Method} {route}");
        }
        else
        {
            activity.DisplayName = context.Request.Method;
        }
    }

    private static void ReadHeader(object? carrier, string name, out string? value, out IEnumerable<string>? values)
    {
        var headers = (IHeaderDictionary)carrier!;
        var found = headers[name];
        value = found.Count == 1 ? found[0] : null;
        values = found.Count > 1 ? found.Select(v => v ?? string.Empty).ToArray() : null;
    }
}
