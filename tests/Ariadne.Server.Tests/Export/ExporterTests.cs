using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ariadne.Server.Configuration;
using Ariadne.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Ariadne.Server.Tests.Export;

/// <summary>
/// Exporters between real servers on loopback: one Ariadne forwards to another over OTLP/HTTP and
/// OTLP/gRPC, keeps what the backend cannot take yet in a queue on disk (across SIGKILL), balances
/// traces over backends, and writes OTLP JSON lines.
/// </summary>
public sealed partial class ExporterTests
{
    private static async Task<LoopbackServer> StartForwarderAsync(string yaml, ServerPorts? ports = null, string? dataDirectory = null)
    {
        var parsed = ConfigLoader.Parse(yaml, "ariadne.yaml");
        return await LoopbackServer.StartAsync(
            dataDirectory,
            configure: o =>
            {
                o.Processors = parsed.Processors;
                o.Exporters = parsed.Exporters;
                o.Service = parsed.Service;
            },
            ports: ports);
    }

    private static string Pipeline(string exporterYaml, string exporters) => $"""
        exporters:
        {exporterYaml}
        service:
          pipelines:
            traces:
              receivers: [otlp]
              exporters: [{exporters}]
        """;

    private static async Task PostAsync(LoopbackServer server, IEnumerable<TestSpan> spans)
    {
        using var response = await server.PostTracesAsync(OtlpRequests.Protobuf("svc", spans));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<int> SpanCountAsync(HttpClient client, Uri queryEndpoint, string traceId)
    {
        using var response = await client.GetAsync(new Uri(queryEndpoint, $"/api/traces/{traceId}"));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return 0;
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("data")[0].GetProperty("spans").GetArrayLength();
    }

    private static async Task WaitForSpansAsync(HttpClient client, Uri queryEndpoint, string traceId, int spans)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var found = 0;
        while (DateTime.UtcNow < deadline)
        {
            found = await SpanCountAsync(client, queryEndpoint, traceId);
            if (found >= spans)
            {
                Assert.Equal(spans, found);
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"trace {traceId}: {found} of {spans} spans arrived within 30 s");
    }

    private static long Metric(string metrics, string name, string exporter) =>
        Regex.Match(metrics, $"^{Regex.Escape(name)}\\{{exporter=\"{Regex.Escape(exporter)}\"[^}}]*\\}} ([0-9.]+)$", RegexOptions.Multiline) is { Success: true } m
            ? (long)double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : -1;

    [Theory]
    [InlineData("otlphttp/backend", "endpoint: http://127.0.0.1:{http}", false)]
    [InlineData("otlp/backend", "endpoint: 127.0.0.1:{grpc}\n    tls: {insecure: true}", true)]
    public async Task Forward_ToAnotherBackend_AndStoreLocally(string id, string settings, bool grpc)
    {
        await using var backend = await LoopbackServer.StartAsync();
        var yaml = Pipeline(
            $"  {id}:\n    " + settings.Replace("{http}", backend.Ports.Http.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{grpc}", backend.Ports.Grpc.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal),
            $"storage, {id}");
        await using var forwarder = await StartForwarderAsync(yaml);

        var trace = OtlpRequests.Trace(3);
        await PostAsync(forwarder, trace);

        Assert.Equal(3, await SpanCountAsync(forwarder.Query, forwarder.QueryEndpoint, trace[0].TraceId));
        await WaitForSpansAsync(backend.Query, backend.QueryEndpoint, trace[0].TraceId, 3);
        var metrics = await forwarder.Query.GetStringAsync(new Uri(forwarder.QueryEndpoint, "/metrics"));
        Assert.Equal(3, Metric(metrics, "ariadne_exporter_sent_spans_total", id));
        var backendMetrics = await backend.Query.GetStringAsync(new Uri(backend.QueryEndpoint, "/metrics"));
        Assert.Contains(grpc ? "ariadne_receiver_accepted_spans_total{receiver=\"otlp/grpc\"} 3\n" : "ariadne_receiver_accepted_spans_total{receiver=\"otlp/http\"} 3\n", backendMetrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackendDown_SpansWaitInTheQueue_AndAreDeliveredInOrderWhenItComesUp()
    {
        var backendPorts = ServerPorts.Allocate();
        var yaml = Pipeline(
            $"  otlphttp:\n    endpoint: http://127.0.0.1:{backendPorts.Http}\n    retry_on_failure: {{initial_interval: 50ms, max_interval: 200ms}}",
            "otlphttp");
        await using var forwarder = await StartForwarderAsync(yaml);
        var traces = Enumerable.Range(0, 5).Select(_ => OtlpRequests.Trace(2)).ToList();
        foreach (var trace in traces)
        {
            await PostAsync(forwarder, trace);
        }

        // Nothing listens yet: the forwarder retries and keeps everything.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string metrics;
        do
        {
            await Task.Delay(100);
            metrics = await forwarder.Query.GetStringAsync(new Uri(forwarder.QueryEndpoint, "/metrics"));
        }
        while (Metric(metrics, "ariadne_exporter_retries_total", "otlphttp") < 2 && DateTime.UtcNow < deadline);

        Assert.True(Metric(metrics, "ariadne_exporter_retries_total", "otlphttp") >= 2, metrics);
        Assert.Equal(5, Metric(metrics, "ariadne_exporter_queue_size", "otlphttp"));
        Assert.Equal(10, Metric(metrics, "ariadne_exporter_queue_spans", "otlphttp"));
        Assert.Equal(0, Metric(metrics, "ariadne_exporter_send_failed_spans_total", "otlphttp"));

        await using var backend = await LoopbackServer.StartAsync(ports: backendPorts);
        foreach (var trace in traces)
        {
            await WaitForSpansAsync(backend.Query, backend.QueryEndpoint, trace[0].TraceId, 2);
        }

        metrics = await forwarder.Query.GetStringAsync(new Uri(forwarder.QueryEndpoint, "/metrics"));
        Assert.Equal(0, Metric(metrics, "ariadne_exporter_queue_size", "otlphttp"));
        Assert.Equal(10, Metric(metrics, "ariadne_exporter_sent_spans_total", "otlphttp"));
    }

    [Fact]
    public async Task Sigkill_WhileTheBackendIsDown_QueuedSpansAreDeliveredAfterRestart()
    {
        using var directory = new TempDirectory();
        var backendPorts = ServerPorts.Allocate();
        var extra = $"""
            exporters:
              otlphttp/upstream:
                endpoint: http://127.0.0.1:{backendPorts.Http}
                retry_on_failure: {'{'}initial_interval: 50ms, max_interval: 200ms{'}'}
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  exporters: [otlphttp/upstream]
            """;
        var traces = Enumerable.Range(0, 20).Select(_ => OtlpRequests.Trace(3)).ToList();
        ServerPorts ports;
        await using (var forwarder = await ServerProcess.StartAsync(directory.Path, extraYaml: extra))
        {
            ports = forwarder.Ports;
            using var client = new HttpClient();
            foreach (var trace in traces)
            {
                using var content = new ByteArrayContent(OtlpRequests.Protobuf("svc", trace));
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
                using var response = await client.PostAsync(new Uri(forwarder.HttpEndpoint, "/v1/traces"), content);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            await forwarder.KillAsync();
        }

        await using var backend = await LoopbackServer.StartAsync(ports: backendPorts);
        await using var restarted = await ServerProcess.StartAsync(directory.Path, ports, extraYaml: extra);
        foreach (var trace in traces)
        {
            await WaitForSpansAsync(backend.Query, backend.QueryEndpoint, trace[0].TraceId, 3);
        }
    }

    [Fact]
    public async Task LoadBalancing_EveryTraceGoesWhole_ToOneBackend()
    {
        await using var first = await LoopbackServer.StartAsync();
        await using var second = await LoopbackServer.StartAsync();
        var yaml = Pipeline(
            $$"""
              loadbalancing:
                routing_key: traceID
                protocol:
                  otlp: {tls: {insecure: true}, timeout: 2s}
                resolver:
                  static: {hostnames: [127.0.0.1:{{first.Ports.Grpc}}, 127.0.0.1:{{second.Ports.Grpc}}]}
            """,
            "loadbalancing");
        await using var balancer = await StartForwarderAsync(yaml);

        // Spans of each trace in two requests, each request mixing traces.
        var traces = Enumerable.Range(0, 40).Select(_ => OtlpRequests.Trace(4)).ToList();
        await PostAsync(balancer, traces.SelectMany(t => t.Take(2)));
        await PostAsync(balancer, traces.SelectMany(t => t.Skip(2)));

        var onFirst = 0;
        foreach (var trace in traces)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            int a, b;
            do
            {
                a = await SpanCountAsync(first.Query, first.QueryEndpoint, trace[0].TraceId);
                b = await SpanCountAsync(second.Query, second.QueryEndpoint, trace[0].TraceId);
                if (a + b < 4)
                {
                    await Task.Delay(50);
                }
            }
            while (a + b < 4 && DateTime.UtcNow < deadline);

            Assert.True((a, b) is (4, 0) or (0, 4), $"trace {trace[0].TraceId}: {a} spans on the first backend, {b} on the second");
            onFirst += a == 4 ? 1 : 0;
        }

        Assert.InRange(onFirst, 5, 35);
    }

    [Fact]
    public async Task ABackendThatRefusesABatchForGood_ItIsGivenUpAndCounted_TheNextOnesStillGo()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(BoundAddress.AnyPort);
        await using var app = builder.Build();
        var calls = 0;
        app.MapPost("/v1/traces", (HttpContext context) =>
        {
            // The first request is refused as malformed; the rest are taken.
            context.Response.StatusCode = Interlocked.Increment(ref calls) == 1 ? 400 : 200;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        var port = BoundAddress.Port(app);

        var yaml = Pipeline($"  otlphttp:\n    endpoint: http://127.0.0.1:{port}\n    compression: none", "otlphttp");
        await using var forwarder = await StartForwarderAsync(yaml);
        await PostAsync(forwarder, OtlpRequests.Trace(2));
        await PostAsync(forwarder, OtlpRequests.Trace(3));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        string metrics;
        do
        {
            await Task.Delay(50);
            metrics = await forwarder.Query.GetStringAsync(new Uri(forwarder.QueryEndpoint, "/metrics"));
        }
        while (Metric(metrics, "ariadne_exporter_sent_spans_total", "otlphttp") < 3 && DateTime.UtcNow < deadline);

        Assert.Equal(2, Metric(metrics, "ariadne_exporter_send_failed_spans_total", "otlphttp"));
        Assert.Equal(3, Metric(metrics, "ariadne_exporter_sent_spans_total", "otlphttp"));
        Assert.Equal(0, Metric(metrics, "ariadne_exporter_retries_total", "otlphttp"));
    }

    [Theory]
    [InlineData(10, 0, 5, new[] { 10 })]
    [InlineData(4, 4, 1, new[] { 4, 4, 2 })]
    public async Task BatchProcessor_GroupsQueuedSpansIntoRequests_SplitAtTheMaximum(int size, int maxSize, int received, int[] expectedRequests)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(BoundAddress.AnyPort);
        await using var app = builder.Build();
        var requests = new System.Collections.Concurrent.ConcurrentQueue<int>();
        app.MapPost("/v1/traces", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var batch = new Ariadne.Model.SpanBatch();
            Ariadne.Protocols.Otlp.Protobuf.OtlpProtobufDecoder.TryDecode(body.ToArray(), batch, out _);
            requests.Enqueue(batch.SpanCount);
        });
        await app.StartAsync();
        var port = BoundAddress.Port(app);

        var yaml = $"""
            processors:
              batch:
                send_batch_size: {size}
                send_batch_max_size: {maxSize}
                timeout: 5s
            exporters:
              otlphttp:
                endpoint: http://127.0.0.1:{port}
                compression: none
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  processors: [batch]
                  exporters: [otlphttp]
            """;
        await using var forwarder = await StartForwarderAsync(yaml);
        for (var i = 0; i < received; i++)
        {
            await PostAsync(forwarder, OtlpRequests.Trace(10 / received));
        }

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (requests.Sum() < 10 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        // Five requests of 2 spans become one of 10; one request of 10 is split at the maximum.
        Assert.Equal(expectedRequests, requests.ToArray());
    }

    [Fact]
    public async Task QueueOverItsQuota_ReceiversRefuseWithRetryLater_NothingAcceptedIsDropped()
    {
        var deadPort = FreePorts.Take(1)[0];
        var yaml = Pipeline($"  otlphttp:\n    endpoint: http://127.0.0.1:{deadPort}\n    sending_queue: {{max_size_mib: 1}}", "otlphttp");
        await using var forwarder = await StartForwarderAsync(yaml);

        var accepted = 0;
        HttpStatusCode last = HttpStatusCode.OK;
        for (var i = 0; i < 400 && last == HttpStatusCode.OK; i++)
        {
            var spans = Enumerable.Range(0, 50).SelectMany(_ => OtlpRequests.Trace(10)).ToList();
            using var response = await forwarder.PostTracesAsync(OtlpRequests.Protobuf("svc", spans));
            last = response.StatusCode;
            if (last == HttpStatusCode.OK)
            {
                accepted += spans.Count;
            }
            else
            {
                Assert.NotNull(response.Headers.RetryAfter);
                Assert.Contains("export queue is full", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, last);
        Assert.True(accepted > 0);
        var metrics = await forwarder.Query.GetStringAsync(new Uri(forwarder.QueryEndpoint, "/metrics"));
        Assert.Equal(accepted, Metric(metrics, "ariadne_exporter_queue_spans", "otlphttp"));
        Assert.Equal(0, Metric(metrics, "ariadne_exporter_send_failed_spans_total", "otlphttp"));
    }

    [Fact]
    public async Task FileExporter_WritesOneOtlpJsonLinePerBatch()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "out", "spans.jsonl");
        await using var server = await StartForwarderAsync(Pipeline($"  file:\n    path: {file}\n  debug:\n    verbosity: basic", "file, debug, storage"));
        var first = OtlpRequests.Trace(2);
        var second = OtlpRequests.Trace(1);
        await PostAsync(server, first);
        await PostAsync(server, second);

        var lines = await File.ReadAllLinesAsync(file);
        Assert.Equal(2, lines.Length);
        using var json = JsonDocument.Parse(lines[0]);
        var spans = json.RootElement.GetProperty("resourceSpans")[0].GetProperty("scopeSpans")[0].GetProperty("spans");
        Assert.Equal(2, spans.GetArrayLength());
        Assert.Equal(first[0].TraceId, spans[0].GetProperty("traceId").GetString());
        Assert.Contains(second[0].SpanId, lines[1], StringComparison.Ordinal);
        Assert.Equal(2, await SpanCountAsync(server.Query, server.QueryEndpoint, first[0].TraceId));
    }

    [Fact]
    public void InvalidExporters_EveryErrorNamesItsPath()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse("""
            exporters:
              otlp: {}
              otlphttp/x: {endpoint: "ftp://host", compression: brotli}
              kafka: {}
              loadbalancing: {routing_key: service, resolver: {static: {hostnames: []}}}
              debug: {verbosity: loud}
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  exporters: [otlp, missing]
            """, "ariadne.yaml"));
        Assert.Contains("exporters.otlp.endpoint: expected host:port or http(s)://host:port", error.Message, StringComparison.Ordinal);
        Assert.Contains("exporters.otlphttp/x.compression: expected gzip or none, got 'brotli'", error.Message, StringComparison.Ordinal);
        Assert.Contains("exporters.otlphttp/x.endpoint: not an http(s) address: 'ftp://host/v1/traces'", error.Message, StringComparison.Ordinal);
        Assert.Contains("exporters.kafka: unknown exporter type 'kafka': expected one of storage, otlp, otlphttp, loadbalancing, debug, file", error.Message, StringComparison.Ordinal);
        Assert.Contains("exporters.loadbalancing.routing_key: only traceID is supported", error.Message, StringComparison.Ordinal);
        Assert.Contains("exporters.loadbalancing.resolver.static.hostnames: expected at least one host:port", error.Message, StringComparison.Ordinal);
        Assert.Contains("exporters.debug.verbosity: expected basic, normal or detailed, got 'loud'", error.Message, StringComparison.Ordinal);
        Assert.Contains("service.pipelines.traces.exporters: 'missing' is not defined under exporters (storage needs no definition)", error.Message, StringComparison.Ordinal);
    }
}
