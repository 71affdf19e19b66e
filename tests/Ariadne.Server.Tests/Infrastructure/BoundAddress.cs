using Microsoft.AspNetCore.Builder;

namespace Ariadne.Server.Tests.Infrastructure;

/// <summary>
/// Where a test's own app listens when it asked Kestrel for port 0: Kestrel binds a free port itself,
/// so no other test can take the port between its choice and the bind.
/// </summary>
internal static class BoundAddress
{
    /// <summary>The loopback address an app binds when it asks for any free port.</summary>
    public const string AnyPort = "http://127.0.0.1:0";

    /// <summary>The port the started app bound.</summary>
    public static int Port(WebApplication app) => new Uri(app.Urls.Single()).Port;
}
