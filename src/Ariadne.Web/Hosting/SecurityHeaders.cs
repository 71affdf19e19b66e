using Microsoft.AspNetCore.Http;

namespace Ariadne.Web.Hosting;

/// <summary>
/// Headers that keep span data inert in the browser: a Content-Security-Policy that allows only this
/// origin's scripts and styles (no inline script, no eval), no framing, no MIME sniffing, no referrer.
/// Everything from spans is also rendered as text; the policy is the second wall. No referrer leaves
/// for other sites.
/// </summary>
internal sealed class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private readonly RequestDelegate _next;
    private readonly int _queryPort;

    public SecurityHeaders(RequestDelegate next, int queryPort)
    {
        _next = next;
        _queryPort = queryPort;
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Connection.LocalPort == _queryPort)
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            // Not no-referrer: with it browsers send "Origin: null" on same-origin posts, and the login and
            // logout endpoints refuse posts whose origin is not this one.
            headers["Referrer-Policy"] = "same-origin";
        }

        return _next(context);
    }
}
