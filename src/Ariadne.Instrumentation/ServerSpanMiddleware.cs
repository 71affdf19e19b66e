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

    // The route and span name of an endpoint and method, in a table indexed by the endpoint's identity
    // hash: a lookup is one load and two reference comparisons, where a dictionary hashed the pair and
    // called Equals. Entries are never changed, only replaced whole; two pairs that share a slot take
    // turns in it, each building its name again when it comes back (a cost, never a wrong name).
    private const int NameSlots = 1024;
    private readonly EndpointName?[] _names = new EndpointName?[NameSlots];

    // The source of hosting's activities, once one has been seen: later ones are recognised by reference.
    private ActivitySource? _hostingSource;

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
        if (activity is null || !IsHostingActivity(activity))
        {
            return next(context);
        }

        // Sampled or not, the client learns its trace.
        if (options.TraceResponse)
        {
            WriteTraceResponse(context, activity);
        }

        if (!activity.IsAllDataRequested)
        {
            // Sampled out: nothing of the span leaves the process, so naming it and giving it
            // attributes or links would be work thrown away.
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

    private bool IsHostingActivity(Activity activity)
    {
        var source = activity.Source;
        if (ReferenceEquals(source, _hostingSource))
        {
            return true;
        }

        if (source.Name != AriadneTracingExtensions.AspNetCoreSource)
        {
            return false;
        }

        _hostingSource = source;
        return true;
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

        if (_hostingTagsRequest)
        {
            return;
        }

        activity.AddTag("http.request.method", request.Method);
        activity.AddTag("url.path", request.Path.Value);
        activity.AddTag("url.scheme", request.Scheme);

        // A service is nearly always reached under the same host and port: reuse their strings and box,
        // and parse the header only when it differs from the last one (Kestrel hands the same string
        // again while a connection sends the same bytes).
        string? raw = request.Headers.Host;
        var host = Volatile.Read(ref _lastHost);
        if (!ReferenceEquals(raw, host.Raw) && !string.Equals(raw, host.Raw, StringComparison.Ordinal))
        {
            var parsed = request.Host;
            host = new HostTags(raw ?? string.Empty, parsed.Host, parsed.Port is { } port ? port : null);
            Volatile.Write(ref _lastHost, host);
        }

        activity.AddTag("server.address", host.Host);
        if (host.Port is not null)
        {
            activity.AddTag("server.port", host.Port);
        }
    }

    // Apart from Before: a lambda capturing its parameters would make every request allocate the
    // closure on entry to Before, whether or not the header is asked for.
    private static void WriteTraceResponse(HttpContext context, Activity activity) =>
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[TraceContext.TraceResponseHeader] = TraceContext.FormatTraceParent(activity.Context);
            return Task.CompletedTask;
        });

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
        if (context.GetEndpoint() is RouteEndpoint endpoint)
        {
            // The route and the span name are the same strings for every request to an endpoint.
            var slot = Slot(endpoint, method);
            var named = Volatile.Read(ref _names[slot]);
            if (named is null || !ReferenceEquals(named.Endpoint, endpoint) || !SameMethod(named.Method, method))
            {
                named = Describe(endpoint, method);
                Volatile.Write(ref _names[slot], named);
            }

            if (named.Route is { } route)
            {
                activity.AddTag("http.route", route);
            }

            activity.DisplayName = named.DisplayName;
        }
        else
        {
            activity.DisplayName = method;
        }
    }

    /// <summary>The slot of an endpoint and method: the endpoint's identity hash, mixed with the method's length and first letter.</summary>
    private static int Slot(Endpoint endpoint, string method)
    {
        var hash = (uint)System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(endpoint);
        if (method.Length > 0)
        {
            hash += (uint)((method.Length << 8) | method[0]) * 0x9E3779B1u;
        }

        return (int)((hash ^ (hash >> 15)) & (NameSlots - 1));
    }

    // Kestrel and the HttpMethods constants give the well-known methods as the same strings every time.
    private static bool SameMethod(string cached, string method) =>
        ReferenceEquals(cached, method) || string.Equals(cached, method, StringComparison.Ordinal);

    private static EndpointName Describe(RouteEndpoint endpoint, string method)
    {
        if (endpoint.RoutePattern.RawText is not { } raw)
        {
            return new EndpointName(endpoint, method, null, method);
        }

        var route = raw.StartsWith('/') ? raw : "/" + raw;
        return new EndpointName(endpoint, method, route, string.Create(CultureInfo.InvariantCulture, $"{method} {route}"));
    }

    private static void ReadHeader(object? carrier, string name, out string? value, out IEnumerable<string>? values)
    {
        var headers = (IHeaderDictionary)carrier!;
        var found = headers[name];
        value = found.Count == 1 ? found[0] : null;
        values = found.Count > 1 ? found.Select(v => v ?? string.Empty).ToArray() : null;
    }

    /// <summary>A request's host header and the attribute values taken from it (the port boxed once).</summary>
    private sealed record HostTags(string Raw, string Host, object? Port);

    /// <summary>An endpoint and method, with the route and span name requests to them get.</summary>
    private sealed record EndpointName(Endpoint Endpoint, string Method, string? Route, string DisplayName);
}
