using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ariadne.Server.Configuration;
using Ariadne.Server.Tests.Infrastructure;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ariadne.Server.Tests.EndToEnd;

/// <summary>
/// Tail sampling in a running server: the seed's "keep all errors, keep slow traces, keep 10% of the
/// rest" with the OpenTelemetry SDK as client, late spans following decisions, and a SIGKILL while
/// traces wait for their decision.
/// </summary>
public sealed partial class TailSamplingTests
{
    private const string SeedPipeline = """
        processors:
          tail_sampling:
            decision_wait: 1s
            policies:
              - name: errors
                type: status_code
                status_code: {status_codes: [ERROR]}
              - name: slow-traces
                type: latency
                latency: {threshold_ms: 2000}
              - name: percentage
                type: probabilistic
                probabilistic: {sampling_percentage: 10}
        service:
          pipelines:
            traces:
              receivers: [otlp]
              processors: [tail_sampling]
              exporters: [storage]
        """;

    [Fact]
    public async Task SeedExample_ErrorsAndSlowTracesKept_TenPercentOfTheRest()
    {
        var parsed = ConfigLoader.Parse(SeedPipeline, "ariadne.yaml");
        await using var server = await LoopbackServer.StartAsync(configure: o =>
        {
            o.Processors = parsed.Processors;
            o.Service = parsed.Service;
        });

        var source = new ActivitySource("shop." + Guid.NewGuid().ToString("N"));
        var errors = new List<string>();
        var slow = new List<string>();
        var rest = new List<string>();
        using (var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("shop"))
            .AddSource(source.Name)
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o =>
            {
                o.Endpoint = new Uri(server.HttpEndpoint, "/v1/traces");
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.BatchExportProcessorOptions = new BatchExportActivityProcessorOptions { MaxQueueSize = 8192, MaxExportBatchSize = 512, ScheduledDelayMilliseconds = 100 };
            })
            .Build()!)
        {
            for (var i = 0; i < 1_060; i++)
            {
                var kind = i < 30 ? errors : i < 60 ? slow : rest;
                var start = kind == slow ? DateTimeOffset.UtcNow.AddSeconds(-2.5) : DateTimeOffset.UtcNow;
                using var root = source.StartActivity("GET /checkout", ActivityKind.Server, default(ActivityContext), startTime: start)!;
                using (var child = source.StartActivity("SELECT orders", ActivityKind.Client)!)
                {
                    if (kind == errors)
                    {
                        child.SetStatus(ActivityStatusCode.Error, "timeout");
                    }
                }

                kind.Add(root.TraceId.ToHexString());
            }

            SdkDelivery.Complete(provider, timeoutMilliseconds: 30_000);
        }

        await WaitForDecisionsAsync(server.Query, server.QueryEndpoint, 1_060);

        foreach (var traceId in errors.Concat(slow))
        {
            Assert.Equal(2, await SpanCountAsync(server.Query, server.QueryEndpoint, traceId));
        }

        var keptOfRest = 0;
        foreach (var traceId in rest)
        {
            var spans = await SpanCountAsync(server.Query, server.QueryEndpoint, traceId);
            Assert.True(spans is 0 or 2, $"trace {traceId} was stored with {spans} of its 2 spans");
            keptOfRest += spans == 2 ? 1 : 0;
        }

        // 10% of 1,000 is 100; the binomial standard deviation is about 9.5.
        Assert.InRange(keptOfRest, 65, 135);

        var metrics = await server.Query.GetStringAsync(new Uri(server.QueryEndpoint, "/metrics"));
        Assert.Contains("ariadne_processor_tail_sampling_count_traces_sampled_total{pipeline=\"traces\",processor=\"tail_sampling\",policy=\"errors\",sampled=\"true\"} 30\n", metrics, StringComparison.Ordinal);
        Assert.Contains("ariadne_processor_tail_sampling_count_traces_sampled_total{pipeline=\"traces\",processor=\"tail_sampling\",policy=\"slow-traces\",sampled=\"true\"} 30\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"ariadne_processor_tail_sampling_global_count_traces_sampled_total{{pipeline=\"traces\",processor=\"tail_sampling\",sampled=\"true\"}} {60 + keptOfRest}\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"ariadne_processor_dropped_spans_total{{pipeline=\"traces\",processor=\"tail_sampling\"}} {2 * (1_000 - keptOfRest)}\n", metrics, StringComparison.Ordinal);
        Assert.Contains("ariadne_processor_tail_sampling_buffered_traces{pipeline=\"traces\",processor=\"tail_sampling\"} 0\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LateSpans_FollowTheDecisionOfTheirTrace()
    {
        var parsed = ConfigLoader.Parse("""
            processors:
              tail_sampling:
                decision_wait: 1s
                policies:
                  - {name: big, type: span_count, span_count: {min_spans: 2}}
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  processors: [tail_sampling]
                  exporters: [storage]
            """, "ariadne.yaml");
        await using var server = await LoopbackServer.StartAsync(configure: o =>
        {
            o.Processors = parsed.Processors;
            o.Service = parsed.Service;
        });

        var kept = OtlpRequests.Trace(2);
        var dropped = OtlpRequests.Trace(1);
        await PostAsync(server, kept.Concat(dropped));

        // Undecided traces are not stored yet.
        Assert.Equal(0, await SpanCountAsync(server.Query, server.QueryEndpoint, kept[0].TraceId));
        await WaitForDecisionsAsync(server.Query, server.QueryEndpoint, 2);
        Assert.Equal(2, await SpanCountAsync(server.Query, server.QueryEndpoint, kept[0].TraceId));
        Assert.Equal(0, await SpanCountAsync(server.Query, server.QueryEndpoint, dropped[0].TraceId));

        var lateKept = kept[1] with { SpanId = OtlpRequests.RandomSpanId(), Name = "late" };
        var lateDropped = dropped[0] with { SpanId = OtlpRequests.RandomSpanId(), Name = "late" };
        await PostAsync(server, [lateKept, lateDropped]);

        // The kept trace's late span is stored at once, not after another decision_wait.
        Assert.Equal(3, await SpanCountAsync(server.Query, server.QueryEndpoint, kept[0].TraceId));
        Assert.Equal(0, await SpanCountAsync(server.Query, server.QueryEndpoint, dropped[0].TraceId));
        var metrics = await server.Query.GetStringAsync(new Uri(server.QueryEndpoint, "/metrics"));
        Assert.Contains("ariadne_processor_tail_sampling_late_spans_total{pipeline=\"traces\",processor=\"tail_sampling\"} 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("ariadne_processor_dropped_spans_total{pipeline=\"traces\",processor=\"tail_sampling\"} 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("ariadne_receiver_accepted_spans_total{receiver=\"otlp/http\"} 5\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sigkill_DuringDecisionWait_UndecidedTracesAreRebuiltAndDecidedAfterRestart()
    {
        const string Pipeline = """
            processors:
              tail_sampling:
                decision_wait: 3s
                policies:
                  - {name: big, type: span_count, span_count: {min_spans: 3}}
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  processors: [tail_sampling]
                  exporters: [storage]
            """;
        using var directory = new TempDirectory();
        var kept = Enumerable.Range(0, 40).Select(_ => OtlpRequests.Trace(3)).ToList();
        var dropped = Enumerable.Range(0, 40).Select(_ => OtlpRequests.Trace(1)).ToList();
        ServerPorts ports;
        await using (var server = await ServerProcess.StartAsync(directory.Path, extraYaml: Pipeline))
        {
            ports = server.Ports;
            using var client = new HttpClient();
            for (var i = 0; i < kept.Count; i++)
            {
                // Each trace's spans in two requests, as services export them.
                await PostAsync(client, server.HttpEndpoint, [kept[i][0], dropped[i][0]]);
                await PostAsync(client, server.HttpEndpoint, kept[i].Skip(1));
            }

            // Acknowledged, undecided, and only on disk in the sampler's log: kill now.
            Assert.Equal(0, await SpanCountAsync(client, server.QueryEndpoint, kept[^1][0].TraceId));
            await server.KillAsync();
        }

        await using var restarted = await ServerProcess.StartAsync(directory.Path, ports, extraYaml: Pipeline);
        using var query = new HttpClient();
        await WaitForDecisionsAsync(query, restarted.QueryEndpoint, 80);
        foreach (var trace in kept)
        {
            Assert.Equal(3, await SpanCountAsync(query, restarted.QueryEndpoint, trace[0].TraceId));
        }

        foreach (var trace in dropped)
        {
            Assert.Equal(0, await SpanCountAsync(query, restarted.QueryEndpoint, trace[0].TraceId));
        }
    }

    private static async Task PostAsync(LoopbackServer server, IEnumerable<TestSpan> spans)
    {
        using var response = await server.PostTracesAsync(OtlpRequests.Protobuf("svc", spans));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task PostAsync(HttpClient client, Uri endpoint, IEnumerable<TestSpan> spans)
    {
        using var content = new ByteArrayContent(OtlpRequests.Protobuf("svc", spans));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
        using var response = await client.PostAsync(new Uri(endpoint, "/v1/traces"), content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Spans of the trace the Jaeger API returns; 0 when it is not found.</summary>
    private static async Task<int> SpanCountAsync(HttpClient client, Uri queryEndpoint, string traceId)
    {
        using var response = await client.GetAsync(new Uri(queryEndpoint, $"/api/traces/{traceId}"));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return 0;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("data")[0].GetProperty("spans").GetArrayLength();
    }

    /// <summary>
    /// Waits until the sampler has made this many final decisions in all and holds no undecided trace
    /// (a round counts its decisions first and forgets its traces last, after storing the kept ones).
    /// </summary>
    private static async Task WaitForDecisionsAsync(HttpClient client, Uri queryEndpoint, int decisions)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var made = 0L;
        while (DateTime.UtcNow < deadline)
        {
            var metrics = await client.GetStringAsync(new Uri(queryEndpoint, "/metrics"));
            made = GlobalDecision().Matches(metrics).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            if (made >= decisions && metrics.Contains("ariadne_processor_tail_sampling_buffered_traces{pipeline=\"traces\",processor=\"tail_sampling\"} 0\n", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{made} of {decisions} traces decided within 60 s");
    }

    [GeneratedRegex("^ariadne_processor_tail_sampling_global_count_traces_sampled_total\\{[^}]*\\} (\\d+)$", RegexOptions.Multiline)]
    private static partial Regex GlobalDecision();
}
