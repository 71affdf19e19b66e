using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace Ariadne.Cli.Bench.ClickHouse;

/// <summary>
/// A local <c>clickhouse-server</c> as a child process on free loopback ports, with a minimal
/// configuration (the 18.16 <c>&lt;yandex&gt;</c> syntax) and its data in a directory of its own.
/// <c>benchmarks/clickhouse/setup.sh</c> installs it from Debian's package.
/// </summary>
internal sealed class ClickHouseServer : IAsyncDisposable
{
    private static readonly string[] Candidates = ["/usr/bin/clickhouse-server", "/usr/sbin/clickhouse-server", "/usr/local/bin/clickhouse-server"];

    private readonly Process _process;
    private readonly Queue<string> _output;
    private readonly Uri _http;
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromMinutes(30) };

    private ClickHouseServer(Process process, Queue<string> output, Uri http)
    {
        _process = process;
        _output = output;
        _http = http;
    }

    public static string? FindExecutable()
    {
        foreach (var candidate in Candidates)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "clickhouse-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static async Task<ClickHouseServer> StartAsync(string directory)
    {
        var executable = FindExecutable() ?? throw new InvalidOperationException("clickhouse-server is not installed; run benchmarks/clickhouse/setup.sh");
        var ports = FreePorts.Take(3);
        Directory.CreateDirectory(Path.Combine(directory, "data"));
        Directory.CreateDirectory(Path.Combine(directory, "tmp"));
        var config = Path.Combine(directory, "config.xml");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            <?xml version="1.0"?>
            <yandex>
              <logger><level>warning</level><console>1</console></logger>
              <http_port>{ports[0]}</http_port>
              <tcp_port>{ports[1]}</tcp_port>
              <interserver_http_port>{ports[2]}</interserver_http_port>
              <listen_host>127.0.0.1</listen_host>
              <path>{Path.Combine(directory, "data")}/</path>
              <tmp_path>{Path.Combine(directory, "tmp")}/</tmp_path>
              <users_config>users.xml</users_config>
              <default_profile>default</default_profile>
              <default_database>default</default_database>
              <mark_cache_size>1073741824</mark_cache_size>
            </yandex>
            """));
        await File.WriteAllTextAsync(Path.Combine(directory, "users.xml"), """
            <?xml version="1.0"?>
            <yandex>
              <profiles><default><max_memory_usage>8000000000</max_memory_usage></default></profiles>
              <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
              <quotas><default></default></quotas>
            </yandex>
            """);
        var start = new ProcessStartInfo(executable) { WorkingDirectory = directory };
        start.ArgumentList.Add("--config-file=" + config);
        var output = new Queue<string>();
        var server = new ClickHouseServer(ChildProcess.Start(start, output), output, new Uri($"http://127.0.0.1:{ports[0]}/"));
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

    public int ProcessId => _process.Id;

    /// <summary>Runs one statement over the HTTP interface and returns its answer.</summary>
    public async Task<string> QueryAsync(string sql, CancellationToken cancellationToken = default)
    {
        using var content = new StringContent(sql);
        using var response = await _client.PostAsync(_http, content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"ClickHouse answered {(int)response.StatusCode} to {sql}: {body}");
        }

        return body;
    }

    /// <summary>Inserts rows given in TabSeparated format.</summary>
    public async Task InsertAsync(string table, ReadOnlyMemory<byte> tabSeparated, CancellationToken cancellationToken = default)
    {
        using var content = new ReadOnlyMemoryContent(tabSeparated);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/tab-separated-values");
        var uri = new Uri(_http, "?query=" + Uri.EscapeDataString($"INSERT INTO {table} FORMAT TabSeparated"));
        using var response = await _client.PostAsync(uri, content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"ClickHouse refused the insert ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private async Task WaitReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"clickhouse-server exited with {_process.ExitCode}:{Environment.NewLine}{ChildProcess.Tail(_output)}");
            }

            try
            {
                await QueryAsync("SELECT 1");
                return;
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"clickhouse-server did not answer within a minute:{Environment.NewLine}{ChildProcess.Tail(_output)}");
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcess.StopAsync(_process);
        _client.Dispose();
    }
}
