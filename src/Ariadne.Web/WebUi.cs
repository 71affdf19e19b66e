using Ariadne.Server.Configuration;
using Ariadne.Server.Hosting;
using Ariadne.Web.Components;
using Ariadne.Web.Hosting;
using Ariadne.Web.Services;
using Ariadne.Web.Timeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Ariadne.Web;

/// <summary>
/// The web UI on the query port: Blazor pages rendered interactively on the server, every asset served
/// from this assembly (no CDN, nothing on disk), and the small JSON endpoints its scripts read.
/// </summary>
internal sealed class WebUi : IServerExtension
{
    /// <summary>Largest trace file the upload page accepts.</summary>
    public const long MaxUploadBytes = 64L * 1024 * 1024;

    public void AddServices(IServiceCollection services, AriadneOptions options)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.Configure<CircuitOptions>(o => o.DetailedErrors = false);
        services.AddSingleton<UploadedTraces>();
        services.AddSingleton<TraceViewer>();
        services.AddSingleton<ServiceGraphHistory>();
        services.AddHostedService(provider => provider.GetRequiredService<ServiceGraphHistory>());
    }

    public void Map(WebApplication app, int queryPort)
    {
        var port = new ListenerPortMetadata(queryPort);
        app.UseMiddleware<SecurityHeaders>(queryPort);
        app.UseAntiforgery();
        UiAssets.Map(app, port);
        TimelineApi.Map(app, port);
        app.MapRazorComponents<App>()
            // The policy sent by SecurityHeaders already says frame-ancestors 'none'; one header, not two.
            .AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null)
            .Add(endpoint => endpoint.Metadata.Add(port));
    }
}
