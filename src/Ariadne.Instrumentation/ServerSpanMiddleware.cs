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

    // Replaced whole, never changed in place: requests on other threads read it at the same time, and
    // a host from one request with the port of another would be a wrong attribute.
    private HostTags _lastHost = new(string.Empty, string.Empty, null);

    private const int MaxCachedNames = 4096;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(Endpoint Endpoint, string Method), (string Route, string DisplayName)> _names = new();

    /// <summary>
    /// Whether hosting already gave the activity <c>http.request.method</c>, <c>url.path</c>, <c>url.scheme</c>,
    /// <c>server.address</c> and <c>server.port</c> when it created it: the app set ASP.NET Core's switch to
    /// false. It is off by default here because hosting's way costs more than adding them in this middleware.
    /// </summary>
    private readonly bool _hostingTagsRequest =
        AppContext.TryGetSwitch(AriadneTracingExtensions.HostingTagsSwitch, out var suppressed) && !suppressed;

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

    private async Task AwaitAsync(Task task, HttpContext context, Activity activity)
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

        if (_hostingTagsRequest)
        {
            return;
        }

        activity.AddTag("http.request.method", request.Method);
        activity.AddTag("url.path", request.Path.Value);
        activity.AddTag("url.scheme", request.Scheme);

        // A service is nearly always reached under the same host and port: reuse their strings and box.
        var host = Volatile.Read(ref _lastHost);
        if (!string.Equals(host.Value, request.Host.Value, StringComparison.Ordinal))
        {
            host = new HostTags(request.Host.Value ?? string.Empty, request.Host.Host, request.Host.Port is { } port ? port : null);
            Volatile.Write(ref _lastHost, host);
        }

        activity.AddTag("server.address", host.Host);
        if (host.Port is not null)
        {
            activity.AddTag("server.port", host.Port);
        }
    }

    private void After(HttpContext context, Activity activity)
    {
        var status = context.Response.StatusCode;
        activity.AddTag("http.response.status_code", status is >= 0 and < 600 ? StatusCodeBoxes[status] : status);
        if (status >= 500)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }

        Name(context, activity);
    }

    private void Failed(HttpContext context, Activity activity, Exception e)
    {
        activity.AddException(e);
        activity.SetStatus(ActivityStatusCode.Error, e.Message);
        activity.AddTag("http.response.status_code", StatusCodeBoxes[StatusCodes.Status500InternalServerError]);
        Name(context, activity);
    }

    private void Name(HttpContext context, Activity activity)
    {
        var method = context.Request.Method;
        if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } raw } endpoint)
        {
            // The route and the span name are the same strings for every request to an endpoint.
            if (!_names.TryGetValue((endpoint, method), out var named))
            {
                var route = raw.StartsWith('/') ? raw : "/" + raw;
                named = (route, string.Create(CultureInfo.InvariantCulture, $"{method} {route}"));
                if (_names.Count < MaxCachedNames)
                {
                    _names.TryAdd((endpoint, method), named);
                }
            }

            activity.AddTag("http.route", named.Route);
            activity.DisplayName = named.DisplayName;
        }
        else
        {
            activity.DisplayName = method;
        }
    }

    private static void ReadHeader(object? carrier, string name, out string? value, out IEnumerable<string>? values)
    {
        var headers = (IHeaderDictionary)carrier!;
        var found = headers[name];
        value = found.Count == 1 ? found[0] : null;
        values = found.Count > 1 ? found.Select(v => v ?? string.Empty).ToArray() : null;
    }

    /// <summary>A request's host header and the attribute values taken from it (the port boxed once).</summary>
    private sealed record HostTags(string Value, string Host, object? Port);
}
