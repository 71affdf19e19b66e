using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Receivers;

/// <summary>Zipkin v2 spans (JSON and proto3) over HTTP, mapped to OTLP and read back through the Tempo API.</summary>
public sealed class ZipkinReceiverTests : IAsyncLifetime
{
    private const string TraceId = "5982fe77008310cc80f1da5e10147517";
    private const string ClientId = "90394f6bcffb5d13";
    private const string RootId = "bd7a977555f6b982";

    private LoopbackServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Json_MapsKindsEndpointsAnnotationsTagsErrorsAndSharedSpans_AndRejectsBadSpansAlone()
    {
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        var json = $$$"""
            [
              {"traceId":"{{{TraceId}}}","id":"{{{RootId}}}","name":"get /checkout","kind":"SERVER","timestamp":{{{start}}},"duration":200000,
               "localEndpoint":{"serviceName":"frontend","ipv4":"10.0.0.1","port":8080},
               "tags":{"http.method":"GET","error":"","otel.scope.name":"brave","otel.scope.version":"6.0"}},
              {"traceId":"{{{TraceId}}}","parentId":"{{{RootId}}}","id":"{{{ClientId}}}","name":"post /pay","kind":"CLIENT","timestamp":{{{start + 1000}}},"duration":150000,
               "localEndpoint":{"serviceName":"frontend"},
               "remoteEndpoint":{"serviceName":"payments","ipv6":"2001:db8::1","port":9000},
               "annotations":[{"timestamp":{{{start + 1500}}},"value":"ws"},{"timestamp":{{{start + 140000}}},"value":"wr"}],
               "tags":{"error":"card declined","amount":12.5}},
              {"traceId":"{{{TraceId}}}","parentId":"{{{RootId}}}","id":"{{{ClientId}}}","name":"post /pay","kind":"SERVER","shared":true,"timestamp":{{{start + 2000}}},"duration":140000,
               "localEndpoint":{"serviceName":"payments"},"tags":{"otel.status_code":"ERROR","otel.status_description":"declined","error":"true"}},
              {"traceId":"{{{TraceId}}}","id":"1111111111111111","name":"no service","timestamp":{{{start}}},"duration":1},
              {"traceId":"not-hex","id":"2222222222222222","localEndpoint":{"serviceName":"x"},"timestamp":{{{start}}},"duration":1}
            ]
            """;
        using var response = await PostAsync(Encoding.UTF8.GetBytes(json), "application/json");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        Assert.StartsWith("3 span(s) accepted, 2 rejected; first: span 3: missing localEndpoint.serviceName", text, StringComparison.Ordinal);

        var spans = await ReadTraceAsync(TraceId);
        Assert.Equal(3, spans.Count);

        var root = spans[RootId];
        Assert.Equal("frontend", root.Service);
        Assert.Equal(2, root.Span.GetProperty("kind").GetInt32());
        Assert.Equal("get /checkout", root.Span.GetProperty("name").GetString());
        Assert.Equal(((ulong)start * 1000).ToString(), root.Span.GetProperty("startTimeUnixNano").GetString());
        Assert.Equal(((ulong)(start + 200000) * 1000).ToString(), root.Span.GetProperty("endTimeUnixNano").GetString());
        Assert.Equal(2, root.Span.GetProperty("status").GetProperty("code").GetInt32());
        Assert.False(root.Span.GetProperty("status").TryGetProperty("message", out _));
        Assert.Equal("brave", root.Scope.GetProperty("name").GetString());
        Assert.Equal("6.0", root.Scope.GetProperty("version").GetString());
        var rootAttributes = Attributes(root.Span);
        Assert.Equal("GET", rootAttributes["http.method"]);
        Assert.Equal("10.0.0.1", rootAttributes["net.host.ip"]);
        Assert.Equal("8080", rootAttributes["net.host.port"]);
        Assert.False(rootAttributes.ContainsKey("error"));
        Assert.False(rootAttributes.ContainsKey("otel.scope.name"));

        var client = spans[ClientId];
        Assert.Equal(3, client.Span.GetProperty("kind").GetInt32());
        Assert.Equal(RootId, client.Span.GetProperty("parentSpanId").GetString());
        Assert.Equal("card declined", client.Span.GetProperty("status").GetProperty("message").GetString());
        var clientAttributes = Attributes(client.Span);
        Assert.Equal("payments", clientAttributes["peer.service"]);
        Assert.Equal("2001:db8::1", clientAttributes["net.peer.ip"]);
        Assert.Equal("9000", clientAttributes["net.peer.port"]);
        Assert.Equal("12.5", clientAttributes["amount"]);
        var events = client.Span.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["ws", "wr"], events);
        Assert.Equal(((ulong)(start + 1500) * 1000).ToString(), client.Span.GetProperty("events")[0].GetProperty("timeUnixNano").GetString());

        // The shared server half keeps its own identity, as the client's child.
        var server = spans.Values.Single(s => s.Service == "payments");
        Assert.NotEqual(ClientId, server.Span.GetProperty("spanId").GetString());
        Assert.Equal(ClientId, server.Span.GetProperty("parentSpanId").GetString());
        Assert.Equal(2, server.Span.GetProperty("kind").GetInt32());
        Assert.Equal("declined", server.Span.GetProperty("status").GetProperty("message").GetString());
        Assert.False(Attributes(server.Span).ContainsKey("error"));

        var metrics = await _server.Query.GetStringAsync(new Uri(_server.QueryEndpoint, "/metrics"));
        Assert.Contains("ariadne_receiver_accepted_spans_total{receiver=\"zipkin\"} 3\n", metrics, StringComparison.Ordinal);
        Assert.Contains("ariadne_receiver_refused_spans_total{receiver=\"zipkin\"} 2\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Protobuf_Gzipped_With64BitTraceIds_IsStored()
    {
        var start = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
        var traceId = Convert.FromHexString("00000000000000000123456789abcdef"[16..]);
        var span = new ProtoWriter()
            .Bytes(1, traceId)
            .Bytes(3, Convert.FromHexString("0a0b0c0d0e0f1011"))
            .Varint(4, 3)
            .String(5, "publish")
            .Fixed64(6, start)
            .Varint(7, 5000)
            .Message(8, new ProtoWriter().String(1, "orders").Bytes(2, [192, 168, 1, 9]).Varint(4, 7000))
            .Message(9, new ProtoWriter().String(1, "kafka"))
            .Message(10, new ProtoWriter().Fixed64(1, start + 10).String(2, "sent"))
            .Message(11, new ProtoWriter().String(1, "messaging.destination").String(2, "orders-topic"));
        var bad = new ProtoWriter().Bytes(1, [1, 2, 3]).Bytes(3, Convert.FromHexString("0a0b0c0d0e0f1012")).Message(8, new ProtoWriter().String(1, "orders"));
        var list = new ProtoWriter().Message(1, span).Message(1, bad).ToArray();

        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(list);
        }

        using var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await _server.Query.PostAsync(new Uri(_server.ZipkinEndpoint, "/api/v2/spans"), content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains("1 rejected; first: span 1: trace_id must be 8 or 16 bytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var spans = await ReadTraceAsync("00000000000000000123456789abcdef");
        var stored = Assert.Single(spans.Values);
        Assert.Equal("orders", stored.Service);
        Assert.Equal(4, stored.Span.GetProperty("kind").GetInt32());
        Assert.Equal("0123456789abcdef", stored.Span.GetProperty("traceId").GetString()![16..]);
        var attributes = Attributes(stored.Span);
        Assert.Equal("kafka", attributes["peer.service"]);
        Assert.Equal("192.168.1.9", attributes["net.host.ip"]);
        Assert.Equal("7000", attributes["net.host.port"]);
        Assert.Equal("orders-topic", attributes["messaging.destination"]);
        Assert.Equal("sent", stored.Span.GetProperty("events")[0].GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("application/json", "{\"not\":\"an array\"}", 400, "cannot decode the Zipkin JSON: expected a JSON array of spans")]
    [InlineData("application/json", "[{\"traceId\":", 400, "cannot decode the Zipkin JSON: invalid JSON")]
    [InlineData("application/json", "[{\"id\":\"0000000000000001\",\"localEndpoint\":{\"serviceName\":\"a\"}}]", 400, "all 1 span(s) rejected; first: span 0: missing traceId")]
    [InlineData("text/plain", "[]", 415, "unsupported content type 'text/plain'")]
    [InlineData("application/x-protobuf", "\u000a\u00ff", 400, "cannot decode the Zipkin ListOfSpans")]
    public async Task BadRequests_AreRefusedWithTheReason_AndStoreNothing(string contentType, string body, int status, string message)
    {
        using var response = await PostAsync(Encoding.Latin1.GetBytes(body), contentType);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.StartsWith(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var metrics = await _server.Query.GetStringAsync(new Uri(_server.QueryEndpoint, "/metrics"));
        Assert.DoesNotContain("ariadne_receiver_accepted_spans_total{receiver=\"zipkin\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyList_IsAccepted()
    {
        using var response = await PostAsync("[]"u8.ToArray(), "application/json");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await _server.Query.PostAsync(new Uri(_server.ZipkinEndpoint, "/api/v2/spans"), content);
    }

    private async Task<Dictionary<string, (JsonElement Span, string Service, JsonElement Scope)>> ReadTraceAsync(string traceId)
    {
        using var response = await _server.Query.GetAsync(new Uri(_server.TempoEndpoint, $"/api/v2/traces/{traceId}"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var root = JsonDocument.Parse(text).RootElement.Clone();
        var spans = new Dictionary<string, (JsonElement, string, JsonElement)>();
        foreach (var rs in root.GetProperty("trace").GetProperty("resourceSpans").EnumerateArray())
        {
            var service = rs.GetProperty("resource").GetProperty("attributes").EnumerateArray()
                .Single(a => a.GetProperty("key").GetString() == "service.name").GetProperty("value").GetProperty("stringValue").GetString()!;
            foreach (var ss in rs.GetProperty("scopeSpans").EnumerateArray())
            {
                var scope = ss.TryGetProperty("scope", out var s) ? s : default;
                foreach (var span in ss.GetProperty("spans").EnumerateArray())
                {
                    spans[span.GetProperty("spanId").GetString()!] = (span, service, scope);
                }
            }
        }

        return spans;
    }

    private static Dictionary<string, string> Attributes(JsonElement span)
    {
        var result = new Dictionary<string, string>();
        if (!span.TryGetProperty("attributes", out var attributes))
        {
            return result;
        }

        foreach (var attribute in attributes.EnumerateArray())
        {
            var value = attribute.GetProperty("value");
            result[attribute.GetProperty("key").GetString()!] = value.TryGetProperty("stringValue", out var s) ? s.GetString()! : value.TryGetProperty("intValue", out var i) ? i.GetString()! : value.ToString();
        }

        return result;
    }
}
