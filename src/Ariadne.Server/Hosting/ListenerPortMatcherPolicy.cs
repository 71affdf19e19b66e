using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Ariadne.Server.Hosting;

/// <summary>
/// Lets each port have its own API: Jaeger's and Tempo's <c>/api/traces/{id}</c> share a route but
/// answer differently, so candidates are filtered by the port the request arrived on. Matching on
/// the local port rather than the Host header keeps this right behind port-forwarding proxies.
/// </summary>
internal sealed class ListenerPortMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    // Before the HTTP method policy, so a route of another port gives 404, not 405.
    public override int Order => -2000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Metadata.GetMetadata<ListenerPortMetadata>() is not null)
            {
                return true;
            }
        }

        return false;
    }

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var port = httpContext.Connection.LocalPort;
        for (var i = 0; i < candidates.Count; i++)
        {
            var metadata = candidates[i].Endpoint.Metadata.GetMetadata<ListenerPortMetadata>();
            if (metadata is not null && metadata.Port != port)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }
}
