using Ariadne.Server.Configuration;
using Ariadne.Server.Receivers.Otlp.Grpc;
using Ariadne.Server.Receivers.Otlp.Http;
using Ariadne.Server.Tenancy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Ariadne.Server.Security;

/// <summary>
/// The one gate every request passes before a handler runs, so no body is read or decompressed for a
/// caller that may not send it: the listener's port says which keys apply (ingest keys on the
/// receivers, read keys or the UI session on the query ports), then the tenant is decided and left
/// for the handlers in <see cref="RequestTenant"/>. Health and readiness stay open for probes.
/// </summary>
internal sealed class AccessControl
{
    private const string BearerPrefix = "Bearer ";
    private const string ApiKeyHeader = "x-api-key";

    private readonly Dictionary<int, ListenerRole> _roles;
    private readonly ApiKeyRing _ingest;
    private readonly ApiKeyRing _query;
    private readonly bool _multitenant;
    private readonly bool _metricsPublic;
    private readonly SessionTokens _sessions;
    private readonly AuthMetrics _metrics;
    private readonly TenantStores _stores;

    public AccessControl(Dictionary<int, ListenerRole> roles, AriadneOptions options, SessionTokens sessions, AuthMetrics metrics, TenantStores stores)
    {
        _stores = stores;
        _roles = roles;
        _ingest = new ApiKeyRing(options.Auth.Ingest.Keys);
        _query = new ApiKeyRing(options.Auth.Query.Keys);
        _multitenant = options.MultitenancyEnabled;
        _metricsPublic = options.Auth.MetricsPublic;
        _sessions = sessions;
        _metrics = metrics;
    }

    public ApiKeyRing QueryKeys => _query;

    public bool Multitenant => _multitenant;

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!_roles.TryGetValue(context.Connection.LocalPort, out var role))
        {
            return next(context);
        }

        var ingest = role is ListenerRole.OtlpGrpc or ListenerRole.OtlpHttp or ListenerRole.Zipkin;
        if (!ingest && IsOpenPath(role, context.Request.Path))
        {
            return next(context);
        }

        var ring = ingest ? _ingest : _query;
        if (ring.IsOpen && !_multitenant)
        {
            return next(context);
        }

        string? bound = null;
        if (!ring.IsOpen)
        {
            var presented = PresentedKey(context.Request);
            if (presented.Length > 0)
            {
                if (ring.Find(presented) is not { } key)
                {
                    return RefuseAsync(context, role, AccessRefusal.InvalidKey, "the API key is not valid");
                }

                bound = key.Tenant;
            }
            else if (!ingest && _sessions.Read(context) is { } session && ring.FindByHash(session.KeyHash) is { } sessionKey)
            {
                bound = sessionKey.Tenant ?? session.Tenant;
            }
            else
            {
                return RefuseAsync(context, role, AccessRefusal.MissingKey, ingest
                    ? "an API key is required: send 'Authorization: Bearer <key>' or 'x-api-key: <key>'"
                    : "a read key is required: send 'Authorization: Bearer <key>' or 'x-api-key: <key>', or log in at /login");
            }
        }
        else if (!ingest && _sessions.Read(context) is { } openSession)
        {
            // No read keys: a UI login only chose a tenant.
            bound = openSession.Tenant;
        }

        if (!_multitenant)
        {
            RequestTenant.Set(context, TenantId.Single);
            return next(context);
        }

        var header = context.Request.Headers[TenantId.Header];
        if (header.Count > 1)
        {
            return RefuseAsync(context, role, AccessRefusal.InvalidTenant, $"{TenantId.Header} must be given once");
        }

        var named = header.Count == 1 ? header[0] ?? string.Empty : null;
        if (bound is not null)
        {
            if (named is not null && !string.Equals(named, bound, StringComparison.Ordinal))
            {
                return RefuseAsync(context, role, AccessRefusal.TenantMismatch, $"this key is bound to another tenant than '{named}'");
            }

            return ProceedAsync(context, bound, next);
        }

        if (named is null)
        {
            return RefuseAsync(context, role, AccessRefusal.MissingTenant, $"no org id: multi-tenancy is on and the request has no {TenantId.Header} header");
        }

        if (TenantId.Problem(named) is { } problem)
        {
            return RefuseAsync(context, role, AccessRefusal.InvalidTenant, $"{TenantId.Header}: {problem}");
        }

        return ProceedAsync(context, named, next);
    }

    /// <summary>
    /// Hands the request on for <paramref name="tenant"/>, first waiting for the tenant's store when it is
    /// still opening (its first use, or its log being replayed after a restart), so handlers find it open.
    /// </summary>
    private Task ProceedAsync(HttpContext context, string tenant, RequestDelegate next)
    {
        RequestTenant.Set(context, tenant);
        var stores = _stores.For(tenant);
        return stores.IsReady || tenant == TenantId.Single ? next(context) : WaitThenProceedAsync(context, stores, next);
    }

    private static async Task WaitThenProceedAsync(HttpContext context, Ingest.StoreProvider stores, RequestDelegate next)
    {
        await stores.WaitOpenedAsync(context.RequestAborted);
        await next(context);
    }

    /// <summary><c>Authorization: Bearer …</c>, else <c>x-api-key</c> (gRPC metadata arrive as the same HTTP/2 headers).</summary>
    public static ReadOnlySpan<char> PresentedKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization;
        if (authorization.Count == 1 && authorization[0] is { } value
            && value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return value.AsSpan(BearerPrefix.Length).Trim();
        }

        StringValues apiKey = request.Headers[ApiKeyHeader];
        return apiKey.Count == 1 && apiKey[0] is { } key ? key.AsSpan().Trim() : [];
    }

    private bool IsOpenPath(ListenerRole role, PathString path) => role switch
    {
        ListenerRole.Query => path.Equals("/health/live", StringComparison.Ordinal)
            || path.Equals("/health/ready", StringComparison.Ordinal)
            || path.Equals(LoginEndpoints.LoginPath, StringComparison.Ordinal)
            || path.Equals(LoginEndpoints.LogoutPath, StringComparison.Ordinal)
            || path.Equals(LoginEndpoints.StylePath, StringComparison.Ordinal)
            || (_metricsPublic && path.Equals("/metrics", StringComparison.Ordinal)),
        ListenerRole.Tempo => path.Equals("/ready", StringComparison.Ordinal)
            || path.Equals("/api/echo", StringComparison.Ordinal),
        _ => false,
    };

    private Task RefuseAsync(HttpContext context, ListenerRole role, AccessRefusal reason, string message)
    {
        _metrics.Refuse(ListenerName(role), reason);
        var (httpStatus, grpcStatus) = reason switch
        {
            AccessRefusal.MissingKey or AccessRefusal.InvalidKey or AccessRefusal.MissingTenant => (StatusCodes.Status401Unauthorized, GrpcStatusCode.Unauthenticated),
            AccessRefusal.TenantMismatch => (StatusCodes.Status403Forbidden, GrpcStatusCode.PermissionDenied),
            _ => (StatusCodes.Status400BadRequest, GrpcStatusCode.InvalidArgument),
        };

        if (httpStatus == StatusCodes.Status401Unauthorized && role != ListenerRole.OtlpGrpc)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        // The body is never read. On HTTP/1.1 the connection is closed after the answer, so the server
        // does not drain an unread upload to reuse it; HTTP/2 resets just the stream.
        if (!HttpProtocol.IsHttp2(context.Request.Protocol) && context.Request.ContentLength is not 0)
        {
            context.Response.Headers.Connection = "close";
        }

        switch (role)
        {
            case ListenerRole.OtlpGrpc:
                OtlpGrpcReceiver.FinishWithStatus(context, grpcStatus, message);
                return Task.CompletedTask;
            case ListenerRole.OtlpHttp:
                return OtlpHttpReceiver.WriteErrorAsync(context, httpStatus, grpcStatus, message);
            case ListenerRole.Zipkin:
                return Query.HttpResponses.WriteTextAsync(context, httpStatus, message);
            default:
                if (httpStatus == StatusCodes.Status401Unauthorized && LoginEndpoints.IsBrowserNavigation(context.Request))
                {
                    context.Response.Redirect(LoginEndpoints.LoginPath + "?returnUrl=" + Uri.EscapeDataString(context.Request.PathBase + context.Request.Path + context.Request.QueryString));
                    return Task.CompletedTask;
                }

                return Query.HttpResponses.WriteJsonAsync(context, httpStatus, writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteNull("data");
                    writer.WriteStartArray("errors");
                    writer.WriteStartObject();
                    writer.WriteNumber("code", httpStatus);
                    writer.WriteString("msg", message);
                    writer.WriteEndObject();
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                });
        }
    }

    public static string ListenerName(ListenerRole role) => role switch
    {
        ListenerRole.OtlpGrpc => "otlp/grpc",
        ListenerRole.OtlpHttp => "otlp/http",
        ListenerRole.Zipkin => "zipkin",
        ListenerRole.Query => "query",
        _ => "tempo",
    };
}
