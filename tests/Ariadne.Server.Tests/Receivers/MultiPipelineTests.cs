using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ariadne.Server.Configuration;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Receivers;

/// <summary>Several pipelines in one server: each receiver's spans go through its own pipeline only.</summary>
public sealed partial class MultiPipelineTests
{
    [Fact]
    public async Task TwoPipelines_EachAppliesItsOwnProcessorsAndExporters()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "zipkin.jsonl");
        var parsed = ConfigLoader.Parse($"""
            processors:
              attributes/otlp:
                actions: [{"{"}key: pipeline, value: a, action: insert{"}"}]
              attributes/zipkin:
                actions: [{"{"}key: pipeline, value: b, action: insert{"}"}]
              filter/no-health:
                spans:
                  exclude: {"{"}match_type: strict, span_names: [health]{"}"}
            exporters:
              file/zipkin:
                path: {file}
            service:
              pipelines:
                traces/a:
                  receivers: [otlp]
                  processors: [filter/no-health, attributes/otlp]
                  exporters: [storage]
                traces/b:
                  receivers: [zipkin]
                  processors: [attributes/zipkin]
                  exporters: [storage, file/zipkin]
            """, "ariadne.yaml");
        await using var server = await LoopbackServer.StartAsync(configure: o =>
        {
            o.Processors = parsed.Processors;
            o.Exporters = parsed.Exporters;
            o.Service = parsed.Service;
        });

        var otlp = OtlpRequests.Trace(2);
        var health = OtlpRequests.Trace(1)[0] with { Name = "health" };
        using (var response = await server.PostTracesAsync(OtlpRequests.Protobuf("svc", [.. otlp, health])))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var zipkinTrace = OtlpRequests.RandomTraceId();
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        var json = $$$"""[{"traceId":"{{{zipkinTrace}}}","id":"00000000000000aa","name":"health","timestamp":{{{start}}},"duration":1000,"localEndpoint":{"serviceName":"legacy"}}]""";
        using (var content = new StringContent(json, Encoding.UTF8, "application/json"))
        using (var response = await server.Query.PostAsync(new Uri(server.ZipkinEndpoint, "/api/v2/spans"), content))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        // Pipeline a: the health check dropped, the rest tagged a.
        Assert.Equal(["a", "a"], await PipelineTagsAsync(server, otlp[0].TraceId));
        Assert.Empty(await PipelineTagsAsync(server, health.TraceId));

        // Pipeline b: its "health" span kept (no filter there), tagged b, and also written to the file.
        Assert.Equal(["b"], await PipelineTagsAsync(server, zipkinTrace));
        Assert.Contains(zipkinTrace, await File.ReadAllTextAsync(file), StringComparison.Ordinal);

        var metrics = await server.Query.GetStringAsync(new Uri(server.QueryEndpoint, "/metrics"));
        Assert.Contains("ariadne_processor_dropped_spans_total{pipeline=\"traces/a\",processor=\"filter/no-health\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("ariadne_processor_modified_spans_total{pipeline=\"traces/b\",processor=\"attributes/zipkin\"} 1\n", metrics, StringComparison.Ordinal);

        // The ingest log's fsyncs are timed: a histogram whose +Inf bucket is its count.
        var count = Regex.Match(metrics, "^ariadne_ingest_log_fsync_duration_seconds_count (\\d+)$", RegexOptions.Multiline);
        Assert.True(count.Success, metrics);
        Assert.True(long.Parse(count.Groups[1].Value, CultureInfo.InvariantCulture) >= 2);
        Assert.Contains($"ariadne_ingest_log_fsync_duration_seconds_bucket{{le=\"+Inf\"}} {count.Groups[1].Value}\n", metrics, StringComparison.Ordinal);
    }

    /// <summary>The value of the <c>pipeline</c> attribute on each span of the trace (none when it is not stored).</summary>
    private static async Task<List<string>> PipelineTagsAsync(LoopbackServer server, string traceId)
    {
        using var response = await server.Query.GetAsync(new Uri(server.QueryEndpoint, $"/api/traces/{traceId}"));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var tags = new List<string>();
        foreach (var span in json.RootElement.GetProperty("data")[0].GetProperty("spans").EnumerateArray())
        {
            foreach (var tag in span.GetProperty("tags").EnumerateArray())
            {
                if (tag.GetProperty("key").GetString() == "pipeline")
                {
                    tags.Add(tag.GetProperty("value").GetString()!);
                }
            }
        }

        return tags;
    }
}
