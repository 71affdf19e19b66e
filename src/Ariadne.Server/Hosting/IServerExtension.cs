using Ariadne.Server.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Ariadne.Server.Hosting;

/// <summary>
/// A part of the process built outside this assembly (the web UI) that adds services and routes to the
/// server. The server cannot reference it: it depends on the server's query services.
/// </summary>
internal interface IServerExtension
{
    /// <summary>Registers the extension's services; called once the server's own are registered.</summary>
    void AddServices(IServiceCollection services, AriadneOptions options);

    /// <summary>Adds middleware and routes; called after the server's routes are mapped.</summary>
    void Map(WebApplication app, int queryPort);
}
