using Ariadne.Server.Ingest;
using Ariadne.Server.Query;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Health;

/// <summary>Liveness (the process answers) and readiness (the ingest log has been replayed).</summary>
internal sealed class HealthEndpoints
{
    private readonly StoreProvider _stores;

    public HealthEndpoints(StoreProvider stores) => _stores = stores;

    public static Task LiveAsync(HttpContext context) => HttpResponses.WriteTextAsync(context, StatusCodes.Status200OK, "live");

    public Task ReadyAsync(HttpContext context)
    {
        if (_stores.IsReady)
        {
            return HttpResponses.WriteTextAsync(context, StatusCodes.Status200OK, "ready");
        }

        context.Response.Headers.RetryAfter = "1";
        return HttpResponses.WriteTextAsync(context, StatusCodes.Status503ServiceUnavailable,
            _stores.OpenFailure is null ? "not ready: replaying the ingest log" : "not ready: storage failed to open (see the log)");
    }
}
