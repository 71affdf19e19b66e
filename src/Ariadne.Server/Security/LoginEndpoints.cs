using System.Net;
using System.Text;
using Ariadne.Server.Tenancy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Ariadne.Server.Security;

/// <summary>
/// The UI's login with a read key: <c>GET /login</c> is a small server-rendered form (no script, a
/// strict Content-Security-Policy), <c>POST /login</c> checks the key and sets the session cookie, then
/// redirects to a local return URL only; <c>POST /logout</c> clears the cookie.
/// </summary>
internal sealed class LoginEndpoints
{
    public const string LoginPath = "/login";
    public const string LogoutPath = "/logout";
    public const string StylePath = "/login.css";

    private const string ContentSecurityPolicy = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private const int MaxFormBytes = 16 * 1024;

    private const string Style = """
        :root { color-scheme: dark; --bg: #0f1420; --panel: #171e2e; --line: #2a3550; --text: #e6e9f0; --muted: #9aa6bf; --accent: #e0a526; --error: #f0716a; }
        * { box-sizing: border-box; }
        body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: var(--bg); color: var(--text); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
        main { width: min(380px, 92vw); background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 28px; }
        h1 { margin: 0 0 4px; font-size: 22px; letter-spacing: .02em; }
        h1 span { color: var(--accent); }
        p { margin: 0 0 20px; color: var(--muted); }
        label { display: block; margin: 14px 0 6px; font-size: 13px; color: var(--muted); }
        input { width: 100%; padding: 9px 10px; border-radius: 6px; border: 1px solid var(--line); background: var(--bg); color: var(--text); font: inherit; }
        input:focus { outline: 2px solid var(--accent); outline-offset: 1px; }
        button { margin-top: 20px; width: 100%; padding: 10px; border: 0; border-radius: 6px; background: var(--accent); color: #1b1405; font: inherit; font-weight: 600; cursor: pointer; }
        .error { margin: 0 0 12px; padding: 8px 10px; border-radius: 6px; background: rgba(240,113,106,.12); color: var(--error); }
        """;

    private readonly AccessControl _access;
    private readonly SessionTokens _sessions;

    public LoginEndpoints(AccessControl access, SessionTokens sessions)
    {
        _access = access;
        _sessions = sessions;
    }

    /// <summary>A page load by a browser (not an API call or a script's fetch), which is sent to the login page rather than given a 401.</summary>
    public static bool IsBrowserNavigation(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && !request.Path.StartsWithSegments("/api", StringComparison.Ordinal)
        && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    /// <summary>Only a path on this server: "/x" but never "//host" or "/\host", which browsers treat as another site.</summary>
    public static string LocalReturnUrl(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl) || returnUrl.Length > 2048 || returnUrl[0] != '/'
            || (returnUrl.Length > 1 && returnUrl[1] is '/' or '\\'))
        {
            return "/";
        }

        foreach (var c in returnUrl)
        {
            if (char.IsControl(c) || c == '\\')
            {
                return "/";
            }
        }

        return returnUrl;
    }

    public Task GetAsync(HttpContext context) =>
        WritePageAsync(context, StatusCodes.Status200OK, LocalReturnUrl(context.Request.Query["returnUrl"]), error: null);

    public static Task StyleAsync(HttpContext context)
    {
        context.Response.Headers.CacheControl = "public, max-age=3600";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.ContentType = "text/css; charset=utf-8";
        return context.Response.WriteAsync(Style);
    }

    public async Task PostAsync(HttpContext context)
    {
        if (!IsSameOrigin(context.Request))
        {
            await Query.HttpResponses.WriteTextAsync(context, StatusCodes.Status403Forbidden, "cross-origin login refused");
            return;
        }

        if (!context.Request.HasFormContentType)
        {
            await WritePageAsync(context, StatusCodes.Status400BadRequest, "/", "expected a form");
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxFormBytes;
        }

        IFormCollection form;
        try
        {
            form = await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            await WritePageAsync(context, StatusCodes.Status400BadRequest, "/", "the form could not be read");
            return;
        }

        var returnUrl = LocalReturnUrl(form["returnUrl"]);
        var key = form["key"].ToString();
        var tenant = form["tenant"].ToString().Trim();
        byte[] keyHash;
        string? bound = null;
        if (_access.QueryKeys.IsOpen)
        {
            keyHash = SessionTokens.OpenKeyHash;
        }
        else if (_access.QueryKeys.Find(key) is { } match)
        {
            keyHash = match.Hash;
            bound = match.Tenant;
        }
        else
        {
            await WritePageAsync(context, StatusCodes.Status401Unauthorized, returnUrl, "That key is not a valid read key.");
            return;
        }

        string? sessionTenant = null;
        if (_access.Multitenant)
        {
            if (bound is not null)
            {
                if (tenant.Length > 0 && tenant != bound)
                {
                    await WritePageAsync(context, StatusCodes.Status403Forbidden, returnUrl, "This key is bound to another tenant.");
                    return;
                }
            }
            else if (TenantId.Problem(tenant) is { } problem)
            {
                await WritePageAsync(context, StatusCodes.Status400BadRequest, returnUrl, tenant.Length == 0 ? "Enter the tenant to read." : $"Tenant: {problem}.");
                return;
            }
            else
            {
                sessionTenant = tenant;
            }
        }

        _sessions.SignIn(context, keyHash, sessionTenant);
        context.Response.Redirect(returnUrl);
    }

    public static Task LogoutAsync(HttpContext context)
    {
        if (!IsSameOrigin(context.Request))
        {
            return Query.HttpResponses.WriteTextAsync(context, StatusCodes.Status403Forbidden, "cross-origin logout refused");
        }

        SessionTokens.SignOut(context);
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = LoginPath;
        return Task.CompletedTask;
    }

    /// <summary>A browser names the page a form was posted from; one from another site is refused (login CSRF).</summary>
    private static bool IsSameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || origin == "null"
            ? origin.Length == 0
            : Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }

    private Task WritePageAsync(HttpContext context, int status, string returnUrl, string? error)
    {
        var html = new StringBuilder(1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>Sign in · Ariadne</title><link rel=\"stylesheet\" href=\"").Append(StylePath).Append("\"></head><body><main>")
            .Append("<h1><span>◆</span> Ariadne</h1><p>Enter a read key to see traces.</p>");
        if (error is not null)
        {
            html.Append("<div class=\"error\" role=\"alert\">").Append(WebUtility.HtmlEncode(error)).Append("</div>");
        }

        html.Append("<form method=\"post\" action=\"").Append(LoginPath).Append("\">")
            .Append("<input type=\"hidden\" name=\"returnUrl\" value=\"").Append(WebUtility.HtmlEncode(returnUrl)).Append("\">");
        if (!_access.QueryKeys.IsOpen)
        {
            html.Append("<label for=\"key\">Read key</label><input id=\"key\" name=\"key\" type=\"password\" autocomplete=\"current-password\" required autofocus>");
        }

        if (_access.Multitenant)
        {
            html.Append("<label for=\"tenant\">Tenant (X-Scope-OrgID; leave empty if the key is bound to one)</label><input id=\"tenant\" name=\"tenant\" maxlength=\"150\" autocomplete=\"organization\">");
        }

        html.Append("<button type=\"submit\">Sign in</button></form></main></body></html>\n");
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers.CacheControl = "no-store";
        // Not no-referrer: under it browsers post the form with "Origin: null", which the origin check refuses.
        response.Headers["Referrer-Policy"] = "same-origin";
        return response.WriteAsync(html.ToString(), context.RequestAborted);
    }
}
