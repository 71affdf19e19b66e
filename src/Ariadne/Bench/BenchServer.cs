using System.Diagnostics;
using System.Globalization;

namespace Ariadne.Cli.Bench;

/// <summary>
/// <c>ariadne serve</c> as a separate process on free loopback ports, with its data in a directory of
/// its own (fsync is always on), for the benchmark to drive over real sockets.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _output;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromMinutes(5) };

    private BenchServer(Process process, Queue<string> output, int[] ports, string dataDirectory)
    {
        _process = process;
        _output = output;
        OtlpGrpc = new Uri($"http://127.0.0.1:{ports[0]}");
        OtlpHttp = new Uri($"http://127.0.0.1:{ports[1]}");
        Query = new Uri($"http://127.0.0.1:{ports[2]}");
        Tempo = new Uri($"http://127.0.0.1:{ports[3]}");
        DataDirectory = dataDirectory;
    }

    public Uri OtlpGrpc { get; }

    public Uri OtlpHttp { get; }

    /// <summary>Jaeger-compatible API, /metrics, health and admin.</summary>
    public Uri Query { get; }

    public Uri Tempo { get; }

    public string DataDirectory { get; }

    public int ProcessId => _process.Id;

    public HttpClient Client => _client;

    /// <summary>
    /// Starts the server with <paramref name="dataDirectory"/> as <c>storage.path</c>. <paramref name="storageYaml"/>
    /// goes under <c>storage:</c> (each line indented by two spaces), <paramref name="extraYaml"/> at the top level.
    /// </summary>
    public static async Task<BenchServer> StartAsync(string workDirectory, string dataDirectory, string storageYaml = "", string extraYaml = "")
    {
        var ports = FreePorts.Take(5);
        var config = Path.Combine(workDirectory, $"ariadne-{ports[0]}.yaml");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            receivers:
              otlp:
                protocols:
                  grpc:
                    endpoint: 127.0.0.1:{ports[0]}
                  http:
                    endpoint: 127.0.0.1:{ports[1]}
              zipkin:
                endpoint: 127.0.0.1:{ports[4]}
            storage:
              path: {dataDirectory}
              retention:
                max_age: 3650d
            {storageYaml}
            query:
              endpoint: 127.0.0.1:{ports[2]}
              tempo_endpoint: 127.0.0.1:{ports[3]}
            {extraYaml}
            """));
        var output = new Queue<string>();
        var process = ChildProcess.Start(ChildProcess.Ariadne("serve", "--config", config), output);
        var server = new BenchServer(process, output, ports, dataDirectory);
        try
        {
            await server.WaitReadyAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public Task<string> MetricsAsync() => _client.GetStringAsync(new Uri(Query, "/metrics"));

    /// <summary>Cuts the head into a block now (POST /api/admin/flush).</summary>
    public async Task FlushAsync()
    {
        using var response = await _client.PostAsync(new Uri(Query, "/api/admin/flush"), null);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"flush answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    public double CpuSeconds() => ProcessStats.CpuSeconds(_process.Id);

    public double PeakRssMiB() => ProcessStats.PeakRssMiB(_process.Id);

    private async Task WaitReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"ariadne serve exited with {_process.ExitCode}:{Environment.NewLine}{ChildProcess.Tail(_output)}");
            }

            try
            {
                using var response = await _client.GetAsync(new Uri(Query, "/health/ready"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"ariadne serve was not ready within 3 minutes:{Environment.NewLine}{ChildProcess.Tail(_output)}");
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcess.StopAsync(_process);
        _client.Dispose();
    }
}
