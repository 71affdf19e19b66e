using System.Net;
using System.Net.Sockets;

namespace Ariadne.Server.Tests.Infrastructure;

public sealed class ServerProcessTests
{
    [Fact]
    public async Task StartAsync_APortTakenWhileTheServerWasDown_StartsOnFreshPorts()
    {
        using var directory = new TempDirectory();
        var ports = ServerPorts.Allocate();
        using var squatter = new TcpListener(IPAddress.Loopback, ports.Http);
        squatter.Start();

        await using var server = await ServerProcess.StartAsync(directory.Path, ports);

        Assert.NotEqual(ports.Http, server.Ports.Http);
        using var client = new HttpClient();
        using var ready = await client.GetAsync(new Uri(server.QueryEndpoint, "/health/ready"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
