using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Ariadne.Cli.Bench;
using Ariadne.Cli.LoadGen;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Protobuf;

namespace Ariadne.Benchmarks.Load;

/// <summary>
/// Server memory under load: writes <c>stored</c> realistic spans as blocks into a data directory,
/// starts <c>ariadne serve</c> on it as a separate process (real sockets, fsync on), sends OTLP/HTTP
/// protobuf requests of 1,000 realistic spans at <c>rate</c> spans/s for <c>seconds</c>, and samples
/// the server's resident set (VmRSS) four times a second. Every request is unique: the trace ids of a
/// small set of pre-encoded requests are rewritten for each send, so the load generator costs little.
/// Run: <c>dotnet run -c Release --project benchmarks/Ariadne.Benchmarks -- ingest-rss 10000000 100000 60</c>.
/// </summary>
internal static class IngestRssReport
{
    private const int SpansPerRequest = 1000;
    private const int DistinctRequests = 64;
    private const int Senders = 8;

    public static void Run(long stored, int rate, int seconds)
    {
        var root = Directory.CreateTempSubdirectory("ariadne-rss-").FullName;
        Process? server = null;
        try
        {
            var data = Path.Combine(root, "data");
            var watch = Stopwatch.StartNew();
            var (written, _) = BlockSeeder.WriteBlocks(Path.Combine(data, "single-tenant"), stored, []);
            Print($"stored {written:N0} spans as blocks in {watch.Elapsed.TotalSeconds:F0} s");

            var ports = FreePorts(5);
            var config = Path.Combine(root, "ariadne.yaml");
            File.WriteAllText(config, $$"""
                receivers:
                  otlp:
                    protocols:
                      grpc:
                        endpoint: 127.0.0.1:{{ports[0]}}
                      http:
                        endpoint: 127.0.0.1:{{ports[1]}}
                  zipkin:
                    endpoint: 127.0.0.1:{{ports[4]}}
                storage:
                  path: {{data}}
                  block:
                    trace_idle_period: ${env:ARIADNE_BENCH_TRACE_IDLE_PERIOD:-10s}
                    max_head_spans: ${env:ARIADNE_BENCH_MAX_HEAD_SPANS:-250000}
                  retention:
                    max_age: 3650d
                query:
                  endpoint: 127.0.0.1:{{ports[2]}}
                  tempo_endpoint: 127.0.0.1:{{ports[3]}}
                """);
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ariadne.dll"), "serve", "--config", config })
            {
                start.ArgumentList.Add(arg);
            }

            server = Process.Start(start)!;
            server.OutputDataReceived += (_, _) => { };
            server.ErrorDataReceived += (_, _) => { };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();

            var query = new Uri($"http://127.0.0.1:{ports[2]}");
            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Senders, PooledConnectionLifetime = Timeout.InfiniteTimeSpan });
            WaitReady(client, query);
            Print($"server ready after {watch.Elapsed.TotalSeconds:F0} s; RSS {Rss(server.Id) / 1024.0:F0} MiB");

            var requests = EncodedRequest.Prepare("realistic", SpansPerRequest, DistinctRequests);
            var endpoint = new Uri($"http://127.0.0.1:{ports[1]}/v1/traces");
            long sent = 0, acknowledged = 0, refused = 0, peak = 0;
            string peakMetrics = string.Empty;
            var latencies = new List<double>();
            var cpuBefore = CpuSeconds(server.Id);
            var clock = Stopwatch.StartNew();
            var deadline = TimeSpan.FromSeconds(seconds);
            using var stop = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                var nextLine = TimeSpan.FromSeconds(5);
                while (!stop.IsCancellationRequested)
                {
                    var rss = Rss(server.Id);
                    var isPeak = rss > Interlocked.Read(ref peak);
                    if (isPeak || clock.Elapsed >= nextLine)
                    {
                        try
                        {
                            var metrics = await client.GetStringAsync(new Uri(query, "/metrics"));
                            if (isPeak)
                            {
                                Interlocked.Exchange(ref peak, rss);
                                peakMetrics = metrics;
                            }

                            // A line every 5 s shows how the memory got where it peaked.
                            if (clock.Elapsed >= nextLine)
                            {
                                nextLine += TimeSpan.FromSeconds(5);
                                Print($"  {clock.Elapsed.TotalSeconds,3:F0} s: RSS {rss / 1024.0,5:F0} MiB, head {Metric(metrics, "ariadne_storage_head_spans") / 1e3,5:N0}k spans, " +
                                    $"heap {Metric(metrics, "dotnet_gc_heap_size_bytes") / 1048576.0,5:N0} MiB, blocks {Metric(metrics, "ariadne_storage_blocks"),3:N0}, " +
                                    $"collections gen0/1/2 {Metric(metrics, "dotnet_gc_collections_total{generation=\"0\"}"):N0}/{Metric(metrics, "dotnet_gc_collections_total{generation=\"1\"}"):N0}/{Metric(metrics, "dotnet_gc_collections_total{generation=\"2\"}"):N0}");
                            }
                        }
                        catch (HttpRequestException)
                        {
                        }
                    }

                    await Task.Delay(250);
                }
            });

            var senders = new Task[Senders];
            for (var s = 0; s < Senders; s++)
            {
                senders[s] = Task.Run(async () =>
                {
                    var body = new byte[requests.Max(r => r.Bytes.Length)];
                    while (clock.Elapsed < deadline)
                    {
                        var number = Interlocked.Increment(ref sent) - 1;

                        // Pace to the rate: request n leaves no earlier than n × 1,000 / rate seconds in.
                        var due = TimeSpan.FromSeconds(number * (double)SpansPerRequest / rate);
                        var wait = due - clock.Elapsed;
                        if (wait > TimeSpan.Zero)
                        {
                            await Task.Delay(wait);
                        }

                        var request = requests[(int)(number % requests.Count)];
                        var length = request.Render(body, (uint)(number / requests.Count) + 1);
                        using var content = new ByteArrayContent(body, 0, length);
                        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                        var began = Stopwatch.GetTimestamp();
                        using var response = await client.PostAsync(endpoint, content);
                        var elapsed = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
                        lock (latencies)
                        {
                            latencies.Add(elapsed);
                        }

                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            Interlocked.Add(ref acknowledged, SpansPerRequest);
                        }
                        else
                        {
                            Interlocked.Add(ref refused, SpansPerRequest);
                        }
                    }
                });
            }

            Task.WaitAll(senders);
            var duration = clock.Elapsed.TotalSeconds;
            var cpu = CpuSeconds(server.Id) - cpuBefore;
            stop.Cancel();
            sampler.Wait();
            var metrics = client.GetStringAsync(new Uri(query, "/metrics")).GetAwaiter().GetResult();
            var serverAccepted = metrics.Split('\n').Where(l => l.StartsWith("ariadne_receiver_accepted_spans_total{receiver=\"otlp/http\"}", StringComparison.Ordinal))
                .Select(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)).FirstOrDefault();
            latencies.Sort();
            Print($"ingest: {acknowledged:N0} spans acknowledged in {duration:F1} s = {acknowledged / duration:N0} spans/s (target {rate:N0}); refused {refused:N0}; server counted {serverAccepted:N0}");
            Print($"request latency: p50 {latencies[latencies.Count / 2]:F1} ms, p99 {latencies[(int)(latencies.Count * 0.99)]:F1} ms over {latencies.Count:N0} requests");
            Print($"at the peak: head {Metric(peakMetrics, "ariadne_storage_head_spans") / 1e3:N0}k spans, managed heap {Metric(peakMetrics, "dotnet_gc_heap_size_bytes") / 1048576.0:N0} MiB ({Metric(peakMetrics, "dotnet_gc_fragmented_bytes") / 1048576.0:N0} MiB of it free), GC committed {Metric(peakMetrics, "dotnet_gc_committed_bytes") / 1048576.0:N0} MiB");
            Print($"server: peak RSS {peak / 1024.0:F0} MiB, RSS at the end {Rss(server.Id) / 1024.0:F0} MiB, CPU {cpu:F1} s ({cpu / duration * 100:F0}% of one core) on {Environment.ProcessorCount} cores");
        }
        finally
        {
            if (server is { HasExited: false })
            {
                server.Kill(entireProcessTree: true);
                server.WaitForExit();
            }

            Directory.Delete(root, recursive: true);
        }
    }

    private static void WaitReady(HttpClient client, Uri query)
    {
        var until = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < until)
        {
            try
            {
                using var response = client.GetAsync(new Uri(query, "/health/ready")).GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            Thread.Sleep(200);
        }

        throw new TimeoutException("the server did not become ready");
    }

    /// <summary>Resident set size in KiB, from /proc.</summary>
    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>User plus system CPU time of the process, from /proc (clock ticks of 1/100 s).</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    private static double Metric(string metrics, string name)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return double.NaN;
    }

    private static void Print(string line) => Console.WriteLine(line);
}
