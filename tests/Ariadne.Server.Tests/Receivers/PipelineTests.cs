using System.Net;
using System.Net.Sockets;
using Ariadne.Server.Configuration;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Receivers;

/// <summary>Collector-style pipelines in the server: processors run before spans are stored; unlisted receivers do not start.</summary>
public sealed class PipelineTests
{
    private const string Yaml = """
        processors:
          probabilistic_sampler/none:
            sampling_percentage: 0
          span_limits:
            max_attribute_value_length: 3
        service:
          pipelines:
            traces:
              receivers: [otlp]
              processors: [span_limits, probabilistic_sampler/none]
              exporters: [storage]
        """;

    [Fact]
    public void Parse_ProcessorsAndPipelines_FromYaml()
    {
        var options = ConfigLoader.Parse(Yaml, "ariadne.yaml");
        Assert.Equal("0", options.Processors!["probabilistic_sampler/none"]!["sampling_percentage"]);
        Assert.Equal(["span_limits", "probabilistic_sampler/none"], options.Service!.Pipelines!["traces"].Processors);

        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse(Yaml.Replace("sampling_percentage: 0", "sampling_percentage: lots", StringComparison.Ordinal), "ariadne.yaml"));
        Assert.Contains("processors.probabilistic_sampler/none.sampling_percentage: expected a number from 0 to 100, got 'lots'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SampledOutSpans_AreAcknowledgedButNotStored_AndCounted_AndAnUnlistedReceiverIsNotStarted()
    {
        var parsed = ConfigLoader.Parse(Yaml, "ariadne.yaml");
        await using var server = await LoopbackServer.StartAsync(configure: o =>
        {
            o.Processors = parsed.Processors;
            o.Service = parsed.Service;
        });

        var spans = OtlpRequests.Trace(4);
        using (var response = await server.PostTracesAsync(OtlpRequests.Protobuf("svc", spans)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using (var trace = await server.Query.GetAsync(new Uri(server.QueryEndpoint, $"/api/traces/{spans[0].TraceId}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, trace.StatusCode);
        }

        var metrics = await server.Query.GetStringAsync(new Uri(server.QueryEndpoint, "/metrics"));
        Assert.Contains("ariadne_receiver_accepted_spans_total{receiver=\"otlp/http\"} 4\n", metrics, StringComparison.Ordinal);
        Assert.Contains("ariadne_processor_dropped_spans_total{pipeline=\"traces\",processor=\"probabilistic_sampler/none\"} 4\n", metrics, StringComparison.Ordinal);
        Assert.Contains("ariadne_processor_dropped_spans_total{pipeline=\"traces\",processor=\"span_limits\"} 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains("ariadne_storage_spans 0\n", metrics, StringComparison.Ordinal);

        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, server.Ports.Zipkin));
    }
}

/// <summary>The redaction processor configured from YAML, on spans the OpenTelemetry SDK exported.</summary>
public sealed class RedactionPipelineTests
{
    [Fact]
    public async Task Redaction_FromYaml_MasksBlockedValuesAndRecordsTheSummaryBeforeStorage()
    {
        var parsed = ConfigLoader.Parse("""
            processors:
              redaction:
                allow_all_keys: true
                blocked_values: ["GE.", "insufficient \\w+"]
                summary: debug
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  processors: [redaction]
                  exporters: [storage]
            """, "ariadne.yaml");
        await using var server = await LoopbackServer.StartAsync(configure: o =>
        {
            o.Processors = parsed.Processors;
            o.Service = parsed.Service;
        });
        var spans = EndToEnd.OpenTelemetrySdkTests.ExportCheckoutTrace(server, OpenTelemetry.Exporter.OtlpExportProtocol.Grpc);
        using var response = await server.Query.GetAsync(new Uri(server.QueryEndpoint, $"/api/traces/{spans[0].TraceId.ToHexString()}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("\"GET\"", text, StringComparison.Ordinal);
        Assert.Contains("\"key\":\"http.request.method\",\"type\":\"string\",\"value\":\"****\"", text, StringComparison.Ordinal);
        Assert.Contains("\"key\":\"redaction.masked.keys\",\"type\":\"string\",\"value\":\"http.request.method\"", text, StringComparison.Ordinal);
        Assert.Contains("\"value\":\"****\"", text, StringComparison.Ordinal);
    }
}

/// <summary>The filter processor's match blocks as YAML spells them.</summary>
public sealed class FilterPipelineTests
{
    [Fact]
    public async Task Filter_FromYaml_DropsHealthChecksBeforeStorage()
    {
        var parsed = ConfigLoader.Parse("""
            processors:
              filter/health:
                spans:
                  exclude:
                    match_type: regexp
                    span_names: ["GET /checkout"]
                    attributes:
                      - key: http.request.method
                        value: GE.
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  processors: [filter/health]
                  exporters: [storage]
            """, "ariadne.yaml");
        await using var server = await LoopbackServer.StartAsync(configure: o =>
        {
            o.Processors = parsed.Processors;
            o.Service = parsed.Service;
        });
        var spans = EndToEnd.OpenTelemetrySdkTests.ExportCheckoutTrace(server, OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf);
        using var response = await server.Query.GetAsync(new Uri(server.TempoEndpoint, $"/api/v2/traces/{spans[0].TraceId.ToHexString()}"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("\"GET /checkout\"", text, StringComparison.Ordinal);
        Assert.Contains("\"charge card\"", text, StringComparison.Ordinal);
        var metrics = await server.Query.GetStringAsync(new Uri(server.QueryEndpoint, "/metrics"));
        Assert.Contains("ariadne_processor_dropped_spans_total{pipeline=\"traces\",processor=\"filter/health\"} 1\n", metrics, StringComparison.Ordinal);
    }
}

/// <summary>The attributes processor's action list as YAML spells it.</summary>
public sealed class AttributesPipelineTests
{
    [Fact]
    public void Attributes_FromYaml_BuildsEveryAction()
    {
        var options = ConfigLoader.Parse("""
            processors:
              attributes/clean:
                include:
                  match_type: strict
                  services: [checkout]
                actions:
                  - key: deployment.environment
                    value: production
                    action: upsert
                  - key: user.password
                    action: delete
                  - key: http.url
                    pattern: ^(?P<scheme>\w+)://(?P<host>[^/]+)
                    action: extract
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  processors: [attributes/clean]
                  exporters: [storage]
            """, "ariadne.yaml");
        var router = new Ingest.PipelineRouter(options);
        var pipeline = router.For("otlp")!;
        Assert.Equal("attributes/clean", Assert.Single(pipeline.Counters).Processor);
        Assert.Null(router.For("zipkin"));
    }
}

/// <summary>A memory limiter over its limit makes every receiver refuse in its protocol's retryable shape.</summary>
public sealed class MemoryLimiterPipelineTests
{
    [Fact]
    public async Task OverTheLimit_OtlpAndZipkinRefuseWith503AndRetryAfter_AndNothingIsStored()
    {
        var parsed = ConfigLoader.Parse("""
            processors:
              memory_limiter:
                check_interval: 1s
                limit_mib: 1
                spike_limit_mib: 0
            service:
              pipelines:
                traces:
                  receivers: [otlp, zipkin]
                  processors: [memory_limiter]
                  exporters: [storage]
            """, "ariadne.yaml");
        await using var server = await LoopbackServer.StartAsync(configure: o =>
        {
            o.Processors = parsed.Processors;
            o.Service = parsed.Service;
        });

        using (var response = await server.PostTracesAsync(OtlpRequests.Protobuf("svc", OtlpRequests.Trace(2))))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter);
        }

        using var zipkinBody = new StringContent("""[{"traceId":"5982fe77008310cc80f1da5e10147517","id":"bd7a977555f6b982","name":"x","timestamp":1,"duration":1,"localEndpoint":{"serviceName":"a"}}]""", System.Text.Encoding.UTF8, "application/json");
        using (var response = await server.Query.PostAsync(new Uri(server.ZipkinEndpoint, "/api/v2/spans"), zipkinBody))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Contains("memory usage is above the limit of memory_limiter", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var metrics = await server.Query.GetStringAsync(new Uri(server.QueryEndpoint, "/metrics"));
        Assert.Contains("ariadne_receiver_refused_requests_total{receiver=\"otlp/http\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("ariadne_receiver_refused_requests_total{receiver=\"zipkin\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("ariadne_storage_spans 0\n", metrics, StringComparison.Ordinal);
    }
}
