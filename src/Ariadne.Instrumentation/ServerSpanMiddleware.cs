using System.Diagnostics;
using System.Globalization;
using Ariadne.Instrumentation.Propagation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ariadne.Instrumentation;

/// <summary>Gives ASP.NET Core's server span its name and HTTP attributes, applies the edge trust policy's link, and writes <c>traceresponse</c>.</summary>
internal sealed class ServerSpanMiddleware(RequestDelegate next, AriadneTracingOptions options)
{
    /// <summary>Status codes boxed once: a tag value is an object, and a box per request is garbage per span.</summary>
    private static readonly object[] StatusCodeBoxes = [.. Enumerable.Range(0, 600).Select(static code => (object)code)];

    private (string Value, string Host, object? Port) _lastHost = (string.Empty, string.Empty, null);

    public Task InvokeAsync(HttpContext context)
    {
        var activity = Activity.Current;
        if (activity is null || activity.Source.Name != AriadneTracingExtensions.AspNetCoreSource)
        {
            return next(context);
        }

        Before(context, activity);
        Task task;
        try
        {
            task = next(context);
        }
        catch (Exception e)
        {
            Failed(context, activity, e);
            throw;
        }

        // Most requests finish synchronously from here on: no state machine for them.
        if (task.IsCompletedSuccessfully)
        {
            After(context, activity);
            return Task.CompletedTask;
        }

        return AwaitAsync(task, context, activity);
    }

    private static async Task AwaitAsync(Task task, HttpContext context, Activity activity)
    {
        try
        {
            await task;
        }
        catch (Exception e)
        {
            Failed(context, activity, e);
            throw;
        }

        After(context, activity);
    }

    private void Before(HttpContext context, Activity activity)
    {
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

        activity.AddTag("http.request.method", request.Method);
        activity.AddTag("url.path", request.Path.Value);
        activity.AddTag("url.scheme", request.Scheme);

        // A service is nearly always reached under the same host and port: reuse their strings and box.
        var host = _lastHost;
        if (!string.Equals(host.Value, request.Host.Value, StringComparison.Ordinal))
        {
            host = (request.Host.Value ?? string.Empty, request.Host.Host, request.Host.Port is { } port ? port : null);
            _lastHost = host;
        }

        activity.AddTag("server.address", host.Host);
        if (host.Port is not null)
        {
            activity.AddTag("server.port", host.Port);
        }
    }

    private static void After(HttpContext context, Activity activity)
    {
        var status = context.Response.StatusCode;
        activity.AddTag("http.response.status_code", status is >= 0 and < 600 ? StatusCodeBoxes[status] : status);
        if (status >= 500)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }

        Name(context, activity);
    }

    private static void Failed(HttpContext context, Activity activity, Exception e)
    {
        activity.AddException(e);
        activity.SetStatus(ActivityStatusCode.Error, e.Message);
        activity.AddTag("http.response.status_code", StatusCodeBoxes[StatusCodes.Status500InternalServerError]);
        Name(context, activity);
    }

    private static void Name(HttpContext context, Activity activity)
    {
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        if (route is not null)
        {
            route = route.StartsWith('/') ? route : "/" + route;
            activity.AddTag("http.route", route);
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
