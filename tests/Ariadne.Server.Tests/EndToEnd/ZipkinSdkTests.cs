using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Ariadne.Server.Tests.Infrastructure;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ariadne.Server.Tests.EndToEnd;

/// <summary>The OpenTelemetry SDK's Zipkin exporter sending to Ariadne's Zipkin receiver, read back as OTLP.</summary>
public sealed class ZipkinSdkTests
{
    [Fact]
    public async Task ZipkinExporter_Trace_IsStoredWithServicesKindsStatusEventsAndTags()
    {
        await using var server = await LoopbackServer.StartAsync();
        // The SDK marks its Zipkin exporter obsolete in favour of OTLP; services still running it are who the receiver is for.
#pragma warning disable CS0618
        var source = new ActivitySource("zipkin-e2e." + Guid.NewGuid().ToString("N"));
        using var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("inventory"))
            .AddSource(source.Name)
            .SetSampler(new AlwaysOnSampler())
            .AddZipkinExporter(o =>
            {
                o.Endpoint = new Uri(server.ZipkinEndpoint, "/api/v2/spans");
                o.ExportProcessorType = ExportProcessorType.Batch;
            })
            .Build()!;
#pragma warning restore CS0618

        string traceId, rootId, childId;
        using (var root = source.StartActivity("reserve", ActivityKind.Server)!)
        {
            root.SetTag("sku", "A-17");
            root.SetTag("quantity", 3);
            traceId = root.TraceId.ToHexString();
            rootId = root.SpanId.ToHexString();
            using var child = source.StartActivity("db update", ActivityKind.Client)!;
            child.SetTag("peer.service", "postgres");
            child.AddEvent(new ActivityEvent("retry"));
            child.SetStatus(ActivityStatusCode.Error, "deadlock");
            childId = child.SpanId.ToHexString();
        }

        SdkDelivery.Complete(provider, "the Zipkin export");

        using var response = await server.Query.GetAsync(new Uri(server.TempoEndpoint, $"/api/v2/traces/{traceId}"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var json = JsonDocument.Parse(text);
        var resourceSpans = Assert.Single(json.RootElement.GetProperty("trace").GetProperty("resourceSpans").EnumerateArray());
        Assert.Contains(resourceSpans.GetProperty("resource").GetProperty("attributes").EnumerateArray(),
            a => a.GetProperty("key").GetString() == "service.name" && a.GetProperty("value").GetProperty("stringValue").GetString() == "inventory");
        var spans = resourceSpans.GetProperty("scopeSpans").EnumerateArray().SelectMany(s => s.GetProperty("spans").EnumerateArray())
            .ToDictionary(s => s.GetProperty("spanId").GetString()!);
        Assert.Equal(2, spans.Count);

        var rootSpan = spans[rootId];
        Assert.Equal("reserve", rootSpan.GetProperty("name").GetString());
        Assert.Equal(2, rootSpan.GetProperty("kind").GetInt32());
        var rootTags = rootSpan.GetProperty("attributes").EnumerateArray().ToDictionary(a => a.GetProperty("key").GetString()!, a => a.GetProperty("value").GetProperty("stringValue").GetString());
        Assert.Equal("A-17", rootTags["sku"]);
        Assert.Equal("3", rootTags["quantity"]);

        var childSpan = spans[childId];
        Assert.Equal(3, childSpan.GetProperty("kind").GetInt32());
        Assert.Equal(rootId, childSpan.GetProperty("parentSpanId").GetString());
        Assert.Equal(2, childSpan.GetProperty("status").GetProperty("code").GetInt32());
        Assert.Equal("deadlock", childSpan.GetProperty("status").GetProperty("message").GetString());
        Assert.Equal("retry", Assert.Single(childSpan.GetProperty("events").EnumerateArray()).GetProperty("name").GetString());
        var childTags = childSpan.GetProperty("attributes").EnumerateArray().Select(a => a.GetProperty("key").GetString()!).ToList();
        Assert.Single(childTags, k => k == "peer.service");
        Assert.DoesNotContain("error", childTags);
    }
}
