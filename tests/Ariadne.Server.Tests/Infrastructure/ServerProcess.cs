using System.Diagnostics;
using System.Text;

namespace Ariadne.Server.Tests.Infrastructure;

/// <summary>
/// Ariadne as a separate operating-system process (the built <c>ariadne</c> CLI), so tests can kill it
/// with SIGKILL and start it again on the same data directory.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process, ServerPorts ports)
    {
        _process = process;
        Ports = ports;
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

    public static async Task<ServerProcess> StartAsync(string dataDirectory, ServerPorts? ports = null, string storageExtra = "", string extraYaml = "")
    {
        ports ??= ServerPorts.Allocate();
        var config = Path.Combine(dataDirectory, $"ariadne-{ports.Query}.yaml");
        Directory.CreateDirectory(dataDirectory);
        await File.WriteAllTextAsync(config, ports.ConfigYaml(Path.Combine(dataDirectory, "data"), storageExtra, extraYaml));

        var cli = Path.Combine(AppContext.BaseDirectory, "ariadne.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { cli, "serve", "--config", config })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the server process");
        var server = new ServerProcess(process, ports);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitReadyAsync();
        return server;
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
