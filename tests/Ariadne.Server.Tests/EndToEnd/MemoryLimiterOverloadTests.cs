using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Ariadne.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Ariadne.Server.Tests.EndToEnd;

/// <summary>
/// The memory_limiter under overload: clients offer far more than the server may hold, the server
/// refuses with 503 + Retry-After instead of growing, its resident memory stays near the limit, and
/// every span it acknowledged is stored.
/// </summary>
public sealed class MemoryLimiterOverloadTests(ITestOutputHelper output)
{
    private const int LimitMib = 320;

    [Fact]
    public async Task TenfoldOverload_RefusesWithRetryAfter_MemoryStaysBounded_AcknowledgedSpansStored()
    {
        using var directory = new TempDirectory();
        var pipeline = $$"""
            processors:
              memory_limiter: {check_interval: 100ms, limit_mib: {{LimitMib}}, spike_limit_mib: 100}
              span_limits: {}
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  processors: [memory_limiter, span_limits]
                  exporters: [storage]
            """;
        await using var server = await ServerProcess.StartAsync(directory.Path, storageExtra: "  block:\n    max_head_spans: 50000", extraYaml: pipeline);

        long peakRss = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peakRss = Math.Max(peakRss, ResidentBytes(server.Pid));
                await Task.Delay(50);
            }
        });

        // 8 clients without pause, 2,000-span requests, every span new (each request patches fresh trace
        // ids into a prepared body, so the clients are not the bottleneck): more than ten times the limit
        // in bytes is offered, far more than ingest absorbs while the head must stay this small.
        var template = Enumerable.Range(0, 250).Select(_ => OtlpRequests.Trace(8)).ToList();
        var body0 = OtlpRequests.Protobuf("overload", template.SelectMany(t => t));
        var offsets = template.Select(t => Occurrences(body0, Convert.FromHexString(t[0].TraceId))).ToList();
        var requestNumber = 0;
        var acknowledged = new ConcurrentBag<string>();
        long accepted = 0, refused = 0, refusedWithoutRetryAfter = 0, offered = 0;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            // Until more than ten times the limit has been offered (at most two minutes, on a busy machine).
            while (Interlocked.Read(ref offered) < 11L * LimitMib << 20 && clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                var number = Interlocked.Increment(ref requestNumber);
                var body = (byte[])body0.Clone();
                for (var t = 0; t < offsets.Count; t++)
                {
                    foreach (var offset in offsets[t])
                    {
                        BitConverter.TryWriteBytes(body.AsSpan(offset, 4), number);
                        BitConverter.TryWriteBytes(body.AsSpan(offset + 4, 4), t);
                    }
                }

                var traceId = Convert.ToHexStringLower(body.AsSpan(offsets[0][0], 16));
                Interlocked.Add(ref offered, body.Length);
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                using var response = await client.PostAsync(new Uri(server.HttpEndpoint, "/v1/traces"), content);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref accepted);
                    acknowledged.Add(traceId);
                }
                else
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    Interlocked.Increment(ref refused);
                    if (response.Headers.RetryAfter is null)
                    {
                        Interlocked.Increment(ref refusedWithoutRetryAfter);
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        stop.Cancel();
        await sampler;

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"offered {offered >> 20} MiB; {accepted} requests accepted, {refused} refused; peak RSS {peakRss >> 20} MiB (limit {LimitMib} MiB)"));
        Assert.True(offered > 10L * LimitMib << 20, $"only {offered >> 20} MiB offered");
        Assert.True(accepted > 0);
        Assert.True(refused > 0, "the limiter never refused");
        Assert.Equal(0, refusedWithoutRetryAfter);
        Assert.True(peakRss < (long)(LimitMib * 1.25) << 20, $"peak RSS {peakRss >> 20} MiB");

        // Still serving, and what it acknowledged is there.
        using var query = new HttpClient();
        foreach (var traceId in acknowledged.Distinct())
        {
            using var response = await query.GetAsync(new Uri(server.QueryEndpoint, $"/api/traces/{traceId}"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static List<int> Occurrences(byte[] haystack, byte[] needle)
    {
        var found = new List<int>();
        for (var at = haystack.AsSpan().IndexOf(needle); at >= 0;)
        {
            found.Add(at);
            var next = haystack.AsSpan(at + 1).IndexOf(needle);
            at = next < 0 ? -1 : at + 1 + next;
        }

        return found;
    }

    private static long ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
