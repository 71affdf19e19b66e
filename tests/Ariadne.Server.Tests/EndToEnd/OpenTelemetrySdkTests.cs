using System.Diagnostics;
using System.Text.Json;
using Ariadne.Server.Tests.Infrastructure;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ariadne.Server.Tests.EndToEnd;

/// <summary>
/// The real OpenTelemetry .NET SDK exports a trace that crosses two services; the trace comes back
/// through the Tempo- and the Jaeger-compatible APIs with every field the SDK can send.
/// </summary>
public sealed class OpenTelemetrySdkTests
{
    private static readonly DateTime Epoch = DateTime.UnixEpoch;

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task Export_TwoServiceTrace_TempoApiReturnsEveryField(OtlpExportProtocol protocol)
    {
        await using var server = await LoopbackServer.StartAsync();
        var spans = ExportCheckoutTrace(server, protocol);
        var traceId = spans[0].TraceId.ToHexString();

        using var response = await server.Query.GetAsync(new Uri(server.TempoEndpoint, $"/api/v2/traces/{traceId}"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var resourceSpans = json.RootElement.GetProperty("trace").GetProperty("resourceSpans");

        var returned = new Dictionary<string, (JsonElement Span, JsonElement Resource, JsonElement Scope)>();
        foreach (var rs in resourceSpans.EnumerateArray())
        {
            foreach (var ss in rs.GetProperty("scopeSpans").EnumerateArray())
            {
                foreach (var span in ss.GetProperty("spans").EnumerateArray())
                {
                    returned.Add(span.GetProperty("spanId").GetString()!, (span, rs.GetProperty("resource"), ss.GetProperty("scope")));
                }
            }
        }

        Assert.Equal(spans.Count, returned.Count);
        foreach (var activity in spans)
        {
            var (span, resource, scope) = returned[activity.SpanId.ToHexString()];
            Assert.Equal(traceId, span.GetProperty("traceId").GetString());
            Assert.Equal(activity.DisplayName, span.GetProperty("name").GetString());
            Assert.Equal(ExpectedKind(activity.Kind), span.TryGetProperty("kind", out var kind) ? kind.GetInt32() : 0);
            var start = (ulong)(activity.StartTimeUtc - Epoch).Ticks * 100;
            Assert.Equal(start.ToString(), span.GetProperty("startTimeUnixNano").GetString());
            Assert.Equal((start + ((ulong)activity.Duration.Ticks * 100)).ToString(), span.GetProperty("endTimeUnixNano").GetString());
            if (activity.ParentSpanId != default)
            {
                Assert.Equal(activity.ParentSpanId.ToHexString(), span.GetProperty("parentSpanId").GetString());
            }
            else
            {
                Assert.False(span.TryGetProperty("parentSpanId", out var parent) && parent.GetString()!.Length > 0);
            }

            Assert.Equal(1u, span.GetProperty("flags").GetUInt32() & 0xFF);
            if (activity.TraceStateString is { } traceState)
            {
                Assert.Equal(traceState, span.GetProperty("traceState").GetString());
            }

            AssertAttributes(activity.TagObjects.Where(t => !t.Key.StartsWith("otel.", StringComparison.Ordinal)), Optional(span, "attributes"));

            var events = activity.Events.ToList();
            if (events.Count > 0)
            {
                var returnedEvents = span.GetProperty("events").EnumerateArray().ToList();
                Assert.Equal(events.Count, returnedEvents.Count);
                for (var i = 0; i < events.Count; i++)
                {
                    Assert.Equal(events[i].Name, returnedEvents[i].GetProperty("name").GetString());
                    Assert.Equal(((ulong)(events[i].Timestamp.UtcDateTime - Epoch).Ticks * 100).ToString(), returnedEvents[i].GetProperty("timeUnixNano").GetString());
                    AssertAttributes(events[i].Tags, Optional(returnedEvents[i], "attributes"));
                }
            }

            var links = activity.Links.ToList();
            if (links.Count > 0)
            {
                var returnedLinks = span.GetProperty("links").EnumerateArray().ToList();
                Assert.Equal(links.Count, returnedLinks.Count);
                Assert.Equal(links[0].Context.TraceId.ToHexString(), returnedLinks[0].GetProperty("traceId").GetString());
                Assert.Equal(links[0].Context.SpanId.ToHexString(), returnedLinks[0].GetProperty("spanId").GetString());
                Assert.Equal(links[0].Context.TraceState, returnedLinks[0].GetProperty("traceState").GetString());
                AssertAttributes(links[0].Tags!, returnedLinks[0].GetProperty("attributes"));
            }

            var status = span.TryGetProperty("status", out var s) ? s : default;
            if (activity.Status == ActivityStatusCode.Error)
            {
                Assert.Equal(2, status.GetProperty("code").GetInt32());
                Assert.Equal(activity.StatusDescription, status.GetProperty("message").GetString());
            }
            else if (activity.Status == ActivityStatusCode.Ok)
            {
                Assert.Equal(1, status.GetProperty("code").GetInt32());
            }

            Assert.Equal(activity.Source.Name, scope.GetProperty("name").GetString());
            Assert.Equal(activity.Source.Version, scope.GetProperty("version").GetString());
            var resourceAttributes = Attributes(resource.GetProperty("attributes"));
            var service = activity.Source.Name.StartsWith("frontend", StringComparison.Ordinal) ? "frontend" : "payments";
            Assert.Equal(service, resourceAttributes["service.name"].GetProperty("stringValue").GetString());
            Assert.Equal("test", resourceAttributes["deployment.environment.name"].GetProperty("stringValue").GetString());
            Assert.Equal("4", resourceAttributes["host.cpu.count"].GetProperty("intValue").GetString());
        }
    }

    [Fact]
    public async Task Export_TwoServiceTrace_JaegerApiMapsLikeJaegersTranslator()
    {
        await using var server = await LoopbackServer.StartAsync();
        var spans = ExportCheckoutTrace(server, OtlpExportProtocol.Grpc);
        var traceId = spans[0].TraceId.ToHexString();

        using var response = await server.Query.GetAsync(new Uri(server.QueryEndpoint, $"/api/traces/{traceId}"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("errors").ValueKind);
        var trace = Assert.Single(root.GetProperty("data").EnumerateArray());
        Assert.Equal(traceId, trace.GetProperty("traceID").GetString());

        var processes = trace.GetProperty("processes").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value);
        Assert.Equal(2, processes.Count);
        Assert.Equal(["frontend", "payments"], processes.Values.Select(p => p.GetProperty("serviceName").GetString()).Order());

        var jaegerSpans = trace.GetProperty("spans").EnumerateArray().ToDictionary(s => s.GetProperty("spanID").GetString()!);
        Assert.Equal(spans.Count, jaegerSpans.Count);
        foreach (var activity in spans)
        {
            var span = jaegerSpans[activity.SpanId.ToHexString()];
            Assert.Equal(activity.DisplayName, span.GetProperty("operationName").GetString());
            Assert.Equal((activity.StartTimeUtc - Epoch).Ticks / 10, span.GetProperty("startTime").GetInt64());
            Assert.Equal(activity.Duration.Ticks / 10, span.GetProperty("duration").GetInt64());
            var process = processes[span.GetProperty("processID").GetString()!];
            Assert.StartsWith(process.GetProperty("serviceName").GetString()!, activity.Source.Name, StringComparison.Ordinal);

            var references = span.GetProperty("references").EnumerateArray().ToList();
            if (activity.ParentSpanId != default)
            {
                Assert.Equal("CHILD_OF", references[0].GetProperty("refType").GetString());
                Assert.Equal(activity.ParentSpanId.ToHexString(), references[0].GetProperty("spanID").GetString());
            }

            Assert.Equal(activity.Links.Count(), references.Count(r => r.GetProperty("refType").GetString() == "FOLLOWS_FROM"));

            var tags = span.GetProperty("tags").EnumerateArray().ToDictionary(t => t.GetProperty("key").GetString()!);
            Assert.Equal(activity.Source.Name, tags["otel.scope.name"].GetProperty("value").GetString());
            Assert.Equal(activity.Kind.ToString().ToLowerInvariant(), tags["span.kind"].GetProperty("value").GetString());
            if (activity.Status == ActivityStatusCode.Error)
            {
                Assert.True(tags["error"].GetProperty("value").GetBoolean());
                Assert.Equal("bool", tags["error"].GetProperty("type").GetString());
                Assert.Equal("ERROR", tags["otel.status_code"].GetProperty("value").GetString());
                Assert.Equal(activity.StatusDescription, tags["otel.status_description"].GetProperty("value").GetString());
            }
            else
            {
                Assert.False(tags.ContainsKey("error"));
            }

            foreach (var tag in activity.TagObjects)
            {
                var jaegerTag = tags[tag.Key];
                var expectedType = tag.Value switch
                {
                    string => "string",
                    bool => "bool",
                    long or int => "int64",
                    double => "float64",
                    _ => "string",
                };
                Assert.Equal(expectedType, jaegerTag.GetProperty("type").GetString());
            }

            var logs = span.GetProperty("logs").EnumerateArray().ToList();
            Assert.Equal(activity.Events.Count(), logs.Count);
            foreach (var (e, log) in activity.Events.Zip(logs))
            {
                Assert.Equal((e.Timestamp.UtcDateTime - Epoch).Ticks / 10, log.GetProperty("timestamp").GetInt64());
                var fields = log.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("key").GetString()!);
                Assert.Equal(e.Name, fields["event"].GetProperty("value").GetString());
            }
        }

        var root1 = jaegerSpans[spans[0].SpanId.ToHexString()];
        var rootTags = root1.GetProperty("tags").EnumerateArray().ToDictionary(t => t.GetProperty("key").GetString()!);
        Assert.Equal(200, rootTags["http.response.status_code"].GetProperty("value").GetInt64());
        Assert.Equal("[\"a\",\"b\"]", rootTags["app.labels"].GetProperty("value").GetString());
        Assert.Equal(spans[0].TraceStateString, rootTags["w3c.tracestate"].GetProperty("value").GetString());
    }

    [Fact]
    public async Task GetTrace_UnknownOrMalformedId_AnswersInEachApisShape()
    {
        await using var server = await LoopbackServer.StartAsync();

        using var jaegerMissing = await server.Query.GetAsync(new Uri(server.QueryEndpoint, "/api/traces/0af7651916cd43dd8448eb211c80319c"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, jaegerMissing.StatusCode);
        using (var body = JsonDocument.Parse(await jaegerMissing.Content.ReadAsStringAsync()))
        {
            var error = Assert.Single(body.RootElement.GetProperty("errors").EnumerateArray());
            Assert.Equal(404, error.GetProperty("code").GetInt32());
            Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("data").ValueKind);
        }

        using var jaegerBad = await server.Query.GetAsync(new Uri(server.QueryEndpoint, "/api/traces/not-a-trace-id"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, jaegerBad.StatusCode);
        using (var body = JsonDocument.Parse(await jaegerBad.Content.ReadAsStringAsync()))
        {
            Assert.Equal(400, body.RootElement.GetProperty("errors")[0].GetProperty("code").GetInt32());
        }

        using var tempoMissing = await server.Query.GetAsync(new Uri(server.TempoEndpoint, "/api/traces/0af7651916cd43dd8448eb211c80319c"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, tempoMissing.StatusCode);
        using var tempoBad = await server.Query.GetAsync(new Uri(server.TempoEndpoint, "/api/v2/traces/xyz"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, tempoBad.StatusCode);
    }

    private static int ExpectedKind(ActivityKind kind) => kind switch
    {
        ActivityKind.Internal => 1,
        ActivityKind.Server => 2,
        ActivityKind.Client => 3,
        ActivityKind.Producer => 4,
        ActivityKind.Consumer => 5,
        _ => 0,
    };

    /// <summary>OTLP JSON leaves out empty repeated fields.</summary>
    private static JsonElement Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value : default;

    private static Dictionary<string, JsonElement> Attributes(JsonElement array) =>
        array.ValueKind == JsonValueKind.Undefined ? [] : array.EnumerateArray().ToDictionary(a => a.GetProperty("key").GetString()!, a => a.GetProperty("value"));

    private static void AssertAttributes(IEnumerable<KeyValuePair<string, object?>> expected, JsonElement actual)
    {
        var returned = Attributes(actual);
        foreach (var (key, value) in expected)
        {
            var v = returned[key];
            switch (value)
            {
                case string s:
                    Assert.Equal(s, v.GetProperty("stringValue").GetString());
                    break;
                case bool b:
                    Assert.Equal(b, v.GetProperty("boolValue").GetBoolean());
                    break;
                case int or long:
                    Assert.Equal(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture).ToString(), v.GetProperty("intValue").GetString());
                    break;
                case double d:
                    Assert.Equal(d, v.GetProperty("doubleValue").GetDouble());
                    break;
                case string[] strings:
                    Assert.Equal(strings, v.GetProperty("arrayValue").GetProperty("values").EnumerateArray().Select(e => e.GetProperty("stringValue").GetString()));
                    break;
                case long[] longs:
                    Assert.Equal(longs.Select(l => l.ToString()), v.GetProperty("arrayValue").GetProperty("values").EnumerateArray().Select(e => e.GetProperty("intValue").GetString()));
                    break;
                case double[] doubles:
                    Assert.Equal(doubles, v.GetProperty("arrayValue").GetProperty("values").EnumerateArray().Select(e => e.GetProperty("doubleValue").GetDouble()));
                    break;
                case bool[] bools:
                    Assert.Equal(bools, v.GetProperty("arrayValue").GetProperty("values").EnumerateArray().Select(e => e.GetProperty("boolValue").GetBoolean()));
                    break;
                default:
                    Assert.Fail($"test does not know how to compare {value?.GetType()}");
                    break;
            }
        }

        Assert.Equal(expected.Count(), returned.Count);
    }

    /// <summary>
    /// frontend: GET /checkout (server) → POST /pay (client) → payments: POST /pay (server, error,
    /// linked to another trace) → charge card (internal) and a producer/consumer pair.
    /// </summary>
    internal static List<Activity> ExportCheckoutTrace(LoopbackServer server, OtlpExportProtocol protocol)
    {
        var suffix = Guid.NewGuid().ToString("N");
        var frontendSource = new ActivitySource("frontend." + suffix, "1.4.0");
        var paymentsSource = new ActivitySource("payments." + suffix, "2.0.1");
        var endpoint = protocol == OtlpExportProtocol.Grpc ? server.GrpcEndpoint : new Uri(server.HttpEndpoint, "/v1/traces");
        var frontend = CreateProvider("frontend", frontendSource.Name, endpoint, protocol);
        var payments = CreateProvider("payments", paymentsSource.Name, endpoint, protocol);
        var finished = new List<Activity>();
        try
        {
            using (var root = frontendSource.StartActivity("GET /checkout", ActivityKind.Server, default(ActivityContext))!)
            {
                root.TraceStateString = "ariadne=t61rcWkgMzE,congo=ucfJifl5GOE";
                root.SetTag("http.request.method", "GET");
                root.SetTag("http.response.status_code", 200);
                root.SetTag("app.retry", false);
                root.SetTag("app.ratio", 0.25);
                root.SetTag("app.labels", new[] { "a", "b" });
                root.SetTag("app.sizes", new long[] { 1, 2, 3 });
                root.SetTag("app.weights", new[] { 1.5, -2.25 });
                root.SetTag("app.flags", new[] { true, false });
                root.AddEvent(new ActivityEvent("cache.miss", tags: new ActivityTagsCollection { ["cache.key"] = "user:1", ["cache.size"] = 42L }));
                root.SetStatus(ActivityStatusCode.Ok);

                using (var client = frontendSource.StartActivity("POST /pay", ActivityKind.Client)!)
                {
                    client.SetTag("server.address", "payments");
                    var otherTrace = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, "other=1");
                    using (var serverSpan = paymentsSource.StartActivity(
                        "POST /pay", ActivityKind.Server, client.Context, links: [new ActivityLink(otherTrace, new ActivityTagsCollection { ["link.reason"] = "retry of", ["link.attempt"] = 2L })])!)
                    {
                        serverSpan.SetTag("payment.amount", 12.5);
                        using (var charge = paymentsSource.StartActivity("charge card", ActivityKind.Internal)!)
                        {
                            charge.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection { ["exception.type"] = "CardDeclined", ["exception.message"] = "insufficient funds" }));
                            charge.SetStatus(ActivityStatusCode.Error, "card declined");
                            finished.Add(charge);
                        }

                        using (var producer = paymentsSource.StartActivity("payments publish", ActivityKind.Producer)!)
                        {
                            using var consumer = paymentsSource.StartActivity("payments process", ActivityKind.Consumer)!;
                            finished.Add(consumer);
                            finished.Add(producer);
                        }

                        serverSpan.SetStatus(ActivityStatusCode.Error, "payment failed");
                        finished.Add(serverSpan);
                    }

                    finished.Add(client);
                }

                finished.Add(root);
            }

            SdkDelivery.Complete(frontend, "the frontend export");
            SdkDelivery.Complete(payments, "the payments export");
        }
        finally
        {
            frontend.Dispose();
            payments.Dispose();
            frontendSource.Dispose();
            paymentsSource.Dispose();
        }

        // Root first: callers take the trace id and root from index 0.
        finished.Reverse();
        return finished;
    }

    private static TracerProvider CreateProvider(string service, string source, Uri endpoint, OtlpExportProtocol protocol) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty()
                .AddService(service, serviceVersion: "1.0.0", autoGenerateServiceInstanceId: false)
                .AddAttributes(new KeyValuePair<string, object>[] { new("deployment.environment.name", "test"), new("host.cpu.count", 4L) }))
            .AddSource(source)
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o =>
            {
                o.Endpoint = endpoint;
                o.Protocol = protocol;
                o.ExportProcessorType = ExportProcessorType.Batch;
                o.BatchExportProcessorOptions = new BatchExportActivityProcessorOptions { ScheduledDelayMilliseconds = 60_000, MaxExportBatchSize = 512 };
            })
            .Build()!;
}
