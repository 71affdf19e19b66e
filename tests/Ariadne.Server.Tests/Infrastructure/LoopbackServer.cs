using Ariadne.Server.Configuration;
using Ariadne.Server.Hosting;
using Ariadne.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Ariadne.Server.Tests.Infrastructure;

/// <summary>A real Ariadne server (Kestrel on loopback, real files) inside the test process.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    /// <summary>How often a server on ports it chose itself is started again when one of them was taken meanwhile.</summary>
    private const int MaxStartAttempts = 5;

    private readonly TempDirectory? _ownedDirectory;
    private WebApplication? _app;

    private LoopbackServer(ServerPorts ports, string dataDirectory, TempDirectory? owned)
    {
        Ports = ports;
        DataDirectory = dataDirectory;
        _ownedDirectory = owned;
    }

    public ServerPorts Ports { get; }

    public string DataDirectory { get; }

    public HttpClient Query { get; } = new();

    public Uri GrpcEndpoint => new($"http://127.0.0.1:{Ports.Grpc}");

    public Uri HttpEndpoint => new($"http://127.0.0.1:{Ports.Http}");

    public Uri QueryEndpoint => new($"http://127.0.0.1:{Ports.Query}");

    public Uri TempoEndpoint => new($"http://127.0.0.1:{Ports.Tempo}");

    public Uri ZipkinEndpoint => new($"http://127.0.0.1:{Ports.Zipkin}");

    public static async Task<LoopbackServer> StartAsync(
        string? dataDirectory = null,
        Action<AriadneOptions>? configure = null,
        Action<SpanStoreOptions>? configureStorage = null,
        bool waitUntilReady = true,
        ServerPorts? ports = null,
        IReadOnlyList<IServerExtension>? extensions = null)
    {
        var owned = dataDirectory is null ? new TempDirectory() : null;
        var choosePorts = ports is null;
        LoopbackServer server;
        for (var attempt = 1; ; attempt++)
        {
            var chosen = ports ?? ServerPorts.Allocate();
            server = new LoopbackServer(chosen, dataDirectory ?? owned!.Path, owned);
            var options = ConfigLoader.Parse(chosen.ConfigYaml(server.DataDirectory), "test");
            configure?.Invoke(options);
            server._app = AriadneServer.Build(options, logging => logging.SetMinimumLevel(LogLevel.Critical + 1), configureStorage, extensions);
            try
            {
                await server._app.StartAsync();
                break;
            }
            catch (IOException e) when (choosePorts && attempt < MaxStartAttempts && e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                // A port found free was taken before Kestrel bound it (by another test's listener or
                // an outgoing connection's ephemeral port): start again on fresh ports.
                await server._app.DisposeAsync();
            }
        }

        if (waitUntilReady)
        {
            await server.WaitReadyAsync();
        }

        return server;
    }

    /// <summary>POSTs an OTLP/HTTP export and returns the response (the caller disposes it).</summary>
    public Task<HttpResponseMessage> PostTracesAsync(byte[] body, string contentType = "application/x-protobuf")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return Query.PostAsync(new Uri(HttpEndpoint, "/v1/traces"), content);
    }

    public async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await Query.GetAsync(new Uri(QueryEndpoint, "/health/ready"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("server did not become ready within 30 s");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Query.Dispose();
        _ownedDirectory?.Dispose();
    }
}
