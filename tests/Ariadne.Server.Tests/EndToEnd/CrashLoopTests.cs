using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.EndToEnd;

/// <summary>
/// Twenty SIGKILLs in a row at random moments while spans stream in and the server cuts and compacts
/// blocks on its own every few hundred milliseconds: after each restart every acknowledged span is
/// there exactly once, and no unfinished block is ever visible.
/// </summary>
public sealed class CrashLoopTests
{
    private const int Kills = 20;
    private const int SpansPerTrace = 4;

    // Small thresholds so that block cuts and compactions happen many times per second of the test;
    // with an idle period longer than the cut interval, each cut both writes traces and carries live
    // ones over into the new log segment.
    private const string AggressiveStorage = """
          block:
            max_duration: 200ms
            trace_idle_period: 300ms
          compaction:
            interval: 300ms
            min_blocks: 2
        """;

    [Fact]
    public async Task Sigkill_TwentyTimesDuringAppendsCutsAndCompactions_LosesNothingAcknowledged()
    {
        using var directory = new TempDirectory();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var acknowledged = new ConcurrentDictionary<string, bool>();
        var random = new Random(20261122);
        ServerPorts? ports = null;
        var logs = new System.Text.StringBuilder();

        for (var round = 0; round < Kills; round++)
        {
            await using var server = await ServerProcess.StartAsync(directory.Path, ports, AggressiveStorage);
            ports = server.Ports;
            if (round > 0)
            {
                await AssertAllPresentOnceAsync(client, server.TempoEndpoint, acknowledged.Keys.Take(40));
            }

            using var stop = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var trace = OtlpRequests.Trace(SpansPerTrace);
                    using var content = new ByteArrayContent(OtlpRequests.Protobuf("loop", trace));
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                    try
                    {
                        using var response = await client.PostAsync(new Uri(server.HttpEndpoint, "/v1/traces"), content);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            acknowledged[trace[0].TraceId] = true;
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        return;
                    }
                }
            })).ToArray();

            // Mostly short rounds, so kills land anywhere; every fourth is long enough that cuts and
            // compactions certainly run (and are killed in the middle) even on a slow machine.
            await Task.Delay(round % 4 == 3 ? random.Next(1500, 2500) : random.Next(150, 900));
            await server.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(senders);
            logs.Append(server.Output);
        }

        // The kills must really have hit a server that was cutting and compacting blocks.
        Assert.Contains("Cut block", logs.ToString(), StringComparison.Ordinal);
        Assert.Contains("Compacted into block", logs.ToString(), StringComparison.Ordinal);

        await using var final = await ServerProcess.StartAsync(directory.Path, ports, AggressiveStorage);
        Assert.True(acknowledged.Count > 100, $"only {acknowledged.Count} traces were acknowledged");
        await AssertAllPresentOnceAsync(client, final.TempoEndpoint, acknowledged.Keys);

        var blocks = Path.Combine(directory.Path, "data", "single-tenant", "blocks");
        foreach (var block in Directory.GetDirectories(blocks))
        {
            Assert.True(File.Exists(Path.Combine(block, "meta.json")), $"unfinished block {block} is visible after start");
        }
    }

    private static async Task AssertAllPresentOnceAsync(HttpClient client, Uri tempo, IEnumerable<string> traceIds)
    {
        foreach (var traceId in traceIds)
        {
            using var response = await client.GetAsync(new Uri(tempo, $"/api/v2/traces/{traceId}"));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"acknowledged trace {traceId} answered {response.StatusCode}");
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var ids = json.RootElement.GetProperty("trace").GetProperty("resourceSpans").EnumerateArray()
                .SelectMany(r => r.GetProperty("scopeSpans").EnumerateArray())
                .SelectMany(s => s.GetProperty("spans").EnumerateArray())
                .Select(s => s.GetProperty("spanId").GetString())
                .ToList();
            Assert.Equal(SpansPerTrace, ids.Count);
            Assert.Equal(SpansPerTrace, ids.Distinct().Count());
        }
    }
}
