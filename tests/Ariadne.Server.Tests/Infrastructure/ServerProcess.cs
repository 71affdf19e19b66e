using System.Diagnostics;
using System.Text;

namespace Ariadne.Server.Tests.Infrastructure;

/// <summary>
/// Ariadne as a separate operating-system process (the built <c>ariadne</c> CLI), so tests can kill it
/// with SIGKILL and start it again on the same data directory.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly string _config;
    private Process _process = null!;

    private ServerProcess(ServerPorts ports, string config)
    {
        Ports = ports;
        _config = config;
    }

    public ServerPorts Ports { get; }

    /// <summary>The server's process id (for reading its memory from /proc).</summary>
    public int Pid => _process.Id;

    public Uri HttpEndpoint => new($"http://127.0.0.1:{Ports.Http}");

    public Uri QueryEndpoint => new($"http://127.0.0.1:{Ports.Query}");

    public Uri TempoEndpoint => new($"http://127.0.0.1:{Ports.Tempo}");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts a server on <paramref name="dataDirectory"/> and waits until it is ready.</summary>
    /// <remarks>
    /// A restart asks for the ports of the server before it, but while that server was dead another
    /// process may have taken one (as a listener, or as the local port of an outgoing connection: the
    /// ports handed out here are in the ephemeral range). Then the server starts on fresh ports
    /// instead; callers reach it through <see cref="Ports"/> and the endpoints, never the old numbers.
    /// </remarks>
    public static async Task<ServerProcess> StartAsync(string dataDirectory, ServerPorts? ports = null, string storageExtra = "", string extraYaml = "")
    {
        Directory.CreateDirectory(dataDirectory);
        for (var attempt = 1; ; attempt++)
        {
            ports ??= ServerPorts.Allocate();
            var config = Path.Combine(dataDirectory, $"ariadne-{ports.Query}.yaml");
            await File.WriteAllTextAsync(config, ports.ConfigYaml(Path.Combine(dataDirectory, "data"), storageExtra, extraYaml));
            var server = new ServerProcess(ports, config);
            server.Begin();
            try
            {
                await server.WaitReadyAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3 && server._process.HasExited && server.Output.Contains("address already in use", StringComparison.Ordinal))
            {
                await server.DisposeAsync();
                ports = null;
            }
        }
    }

    private void Begin()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "ariadne.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { cli, "serve", "--config", _config })
        {
            start.ArgumentList.Add(arg);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server process");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitReadyAsync()
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"server exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(QueryEndpoint, "/health/ready"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"server did not become ready within 60 s:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown hook, no flush, exactly like a power cut for the process.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
