using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Receivers;

public sealed class OtlpHttpReceiverTests : IAsyncLifetime
{
    private LoopbackServer _server = null!;
    private readonly HttpClient _client = new();

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync(configure: o => o.Receivers.Otlp.Protocols.Http.MaxRequestBodySize = 4 * 1024 * 1024);

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private Uri Traces => new(_server.HttpEndpoint, "/v1/traces");

    private async Task<HttpResponseMessage> PostAsync(byte[] body, string contentType, string? contentEncoding = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (contentEncoding is not null)
        {
            content.Headers.ContentEncoding.Add(contentEncoding);
        }

        return await _client.PostAsync(Traces, content);
    }

    private async Task<int> CountSpansAsync(string traceId)
    {
        using var response = await _client.GetAsync(new Uri(_server.TempoEndpoint, $"/api/traces/{traceId}"));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return 0;
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("batches").EnumerateArray()
            .SelectMany(b => b.GetProperty("scopeSpans").EnumerateArray())
            .Sum(s => s.GetProperty("spans").GetArrayLength());
    }

    private async Task<string> StoreOneTraceAsync()
    {
        var spans = OtlpRequests.Trace(3);
        using var response = await PostAsync(OtlpRequests.Protobuf("before", spans), "application/x-protobuf");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return spans[0].TraceId;
    }

    [Fact]
    public async Task Post_Protobuf_StoresAndAnswersEmptyExportResponse()
    {
        var spans = OtlpRequests.Trace(4);
        using var response = await PostAsync(OtlpRequests.Protobuf("svc", spans), "application/x-protobuf");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType!.MediaType);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(4, await CountSpansAsync(spans[0].TraceId));
    }

    [Fact]
    public async Task Post_JsonGzip_StoresAndAnswersJson()
    {
        var spans = OtlpRequests.Trace(2);
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(OtlpRequests.Json("svc", spans)));
        }

        using var response = await PostAsync(compressed.ToArray(), "application/json; charset=utf-8", "gzip");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("{}", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, await CountSpansAsync(spans[0].TraceId));
    }

    [Fact]
    public async Task Post_EmptyRequest_Succeeds()
    {
        using var protobuf = await PostAsync([], "application/x-protobuf");
        Assert.Equal(HttpStatusCode.OK, protobuf.StatusCode);
        using var json = await PostAsync("{}"u8.ToArray(), "application/json");
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
    }

    [Fact]
    public async Task Post_InvalidSpansAmongValid_RejectsThemIndividuallyWithPartialSuccess()
    {
        var traceId = OtlpRequests.RandomTraceId();
        var spans = OtlpRequests.Trace(3, traceId);
        spans.Add(new TestSpan("00000000000000000000000000000000", OtlpRequests.RandomSpanId(), "zero trace", 10, 20));
        spans.Add(new TestSpan(traceId, "abcd", "short span id", 10, 20));
        spans.Add(new TestSpan(traceId, OtlpRequests.RandomSpanId(), "ends before it starts", 20, 10));

        using var response = await PostAsync(Encoding.UTF8.GetBytes(OtlpRequests.Json("svc", spans)), "application/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var partial = body.RootElement.GetProperty("partialSuccess");
        Assert.Equal("3", partial.GetProperty("rejectedSpans").ToString());
        Assert.Contains("rejected", partial.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, await CountSpansAsync(traceId));

        using var protobuf = await PostAsync(OtlpRequests.Protobuf("svc", spans.Select(s => s with { TraceId = s.TraceId == traceId ? OtlpRequests.RandomTraceId() : s.TraceId })), "application/x-protobuf");
        Assert.Equal(HttpStatusCode.OK, protobuf.StatusCode);
        Assert.NotEmpty(await protobuf.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Post_BadInput_AnswersDocumentedStatusAndKeepsStoredData()
    {
        var stored = await StoreOneTraceAsync();
        var valid = OtlpRequests.Protobuf("svc", OtlpRequests.Trace(2));

        for (var cut = 1; cut < valid.Length; cut += Math.Max(1, valid.Length / 40))
        {
            using var truncated = await PostAsync(valid[..cut], "application/x-protobuf");
            Assert.Equal(HttpStatusCode.BadRequest, truncated.StatusCode);
            Assert.Equal("application/x-protobuf", truncated.Content.Headers.ContentType!.MediaType);
        }

        var random = new Random(42);
        for (var i = 0; i < 200; i++)
        {
            var garbage = new byte[random.Next(1, 300)];
            random.NextBytes(garbage);
            using var response = await PostAsync(garbage, "application/x-protobuf");
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.OK, $"random body answered {response.StatusCode}");
        }

        using (var invalidJson = await PostAsync("{\"resourceSpans\":[{"u8.ToArray(), "application/json"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalidJson.StatusCode);
            using var status = JsonDocument.Parse(await invalidJson.Content.ReadAsStringAsync());
            Assert.Equal(3, status.RootElement.GetProperty("code").GetInt32());
            Assert.False(string.IsNullOrEmpty(status.RootElement.GetProperty("message").GetString()));
        }

        using (var wrongType = await PostAsync(valid, "text/plain"))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        }

        using (var notGzip = await PostAsync(valid, "application/x-protobuf", "gzip"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, notGzip.StatusCode);
        }

        using (var unknownEncoding = await PostAsync(valid, "application/x-protobuf", "snappy-ish"))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, unknownEncoding.StatusCode);
        }

        using (var get = await _client.GetAsync(Traces))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        }

        Assert.Equal(3, await CountSpansAsync(stored));
        using var ready = await _client.GetAsync(new Uri(_server.QueryEndpoint, "/health/ready"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Post_GzipBomb_Answers413WithoutInflatingPastTheLimit()
    {
        var stored = await StoreOneTraceAsync();
        var bomb = GzipBomb(64 * 1024 * 1024);
        Assert.True(bomb.Length < 200 * 1024);

        using var response = await PostAsync(bomb, "application/x-protobuf", "gzip");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(3, await CountSpansAsync(stored));
    }

    [Fact]
    public async Task Post_BodyLargerThanLimit_Answers413()
    {
        using var response = await PostAsync(new byte[5 * 1024 * 1024], "application/x-protobuf");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_CountAcceptedAndRefusedSpans()
    {
        var spans = OtlpRequests.Trace(3);
        spans.Add(new TestSpan(spans[0].TraceId, OtlpRequests.RandomSpanId(), "bad", 20, 10));
        using (var response = await PostAsync(OtlpRequests.Protobuf("svc", spans), "application/x-protobuf"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var metrics = await _client.GetStringAsync(new Uri(_server.QueryEndpoint, "/metrics"));
        Assert.Contains("ariadne_receiver_accepted_spans_total{receiver=\"otlp/http\"} 3\n", metrics, StringComparison.Ordinal);
        Assert.Contains("ariadne_receiver_refused_spans_total{receiver=\"otlp/http\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("ariadne_ready 1\n", metrics, StringComparison.Ordinal);
        Assert.Equal("live\n", await _client.GetStringAsync(new Uri(_server.QueryEndpoint, "/health/live")));
    }

    [Fact]
    public async Task OtherPorts_DoNotServeTheReceiver()
    {
        using var content = new ByteArrayContent([]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        using var response = await _client.PostAsync(new Uri(_server.QueryEndpoint, "/v1/traces"), content);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    internal static byte[] GzipBomb(int inflatedSize)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (var written = 0; written < inflatedSize; written += zeros.Length)
            {
                gzip.Write(zeros);
            }
        }

        return output.ToArray();
    }
}
