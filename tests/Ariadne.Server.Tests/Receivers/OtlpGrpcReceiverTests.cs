using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Receivers;

public sealed class OtlpGrpcReceiverTests : IAsyncLifetime
{
    private const int Ok = 0;
    private const int InvalidArgument = 3;
    private const int ResourceExhausted = 8;
    private const int Unimplemented = 12;

    private LoopbackServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync(configure: o => o.Receivers.Otlp.Protocols.Grpc.MaxRecvMsgSizeMib = 4);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<int> CountSpansAsync(string traceId)
    {
        using var response = await _server.Query.GetAsync(new Uri(_server.TempoEndpoint, $"/api/v2/traces/{traceId}"));
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return 0;
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("trace").GetProperty("resourceSpans").EnumerateArray()
            .SelectMany(b => b.GetProperty("scopeSpans").EnumerateArray())
            .Sum(s => s.GetProperty("spans").GetArrayLength());
    }

    [Fact]
    public async Task Export_ValidMessage_AnswersOkWithResponseMessage()
    {
        var spans = OtlpRequests.Trace(5);
        var result = await GrpcCall.ExportAsync(_server.GrpcEndpoint, GrpcCall.Frame(OtlpRequests.Protobuf("svc", spans)));
        Assert.Equal(Ok, result.Status);
        Assert.Equal(5, result.Body.Length);
        Assert.Equal(5, await CountSpansAsync(spans[0].TraceId));
    }

    [Fact]
    public async Task Export_GzipMessage_IsDecompressed()
    {
        var spans = OtlpRequests.Trace(2);
        var result = await GrpcCall.ExportAsync(_server.GrpcEndpoint, GrpcCall.Frame(Gzip(OtlpRequests.Protobuf("svc", spans)), compressed: true), "gzip");
        Assert.Equal(Ok, result.Status);
        Assert.Equal(2, await CountSpansAsync(spans[0].TraceId));
    }

    [Fact]
    public async Task Export_InvalidSpans_ArePartialSuccess()
    {
        var spans = OtlpRequests.Trace(2);
        spans.Add(spans[0] with { SpanId = "00000000000000000000", Name = "ten-byte span id" });
        var result = await GrpcCall.ExportAsync(_server.GrpcEndpoint, GrpcCall.Frame(OtlpRequests.Protobuf("svc", spans)));
        Assert.Equal(Ok, result.Status);
        Assert.True(result.Body.Length > 5, "a partial success carries a response body");
        Assert.Equal(2, await CountSpansAsync(spans[0].TraceId));
    }

    [Fact]
    public async Task Export_BadInput_AnswersOtlpStatusCodesAndKeepsStoredData()
    {
        var stored = OtlpRequests.Trace(3);
        Assert.Equal(Ok, (await GrpcCall.ExportAsync(_server.GrpcEndpoint, GrpcCall.Frame(OtlpRequests.Protobuf("svc", stored)))).Status);
        var valid = OtlpRequests.Protobuf("svc", OtlpRequests.Trace(2));

        var truncated = await GrpcCall.ExportAsync(_server.GrpcEndpoint, GrpcCall.Frame(valid.AsSpan(0, valid.Length / 2)));
        Assert.Equal(InvalidArgument, truncated.Status);
        Assert.False(string.IsNullOrEmpty(truncated.Message));

        var frameCut = await GrpcCall.ExportAsync(_server.GrpcEndpoint, GrpcCall.Frame(valid)[..10]);
        Assert.Equal(InvalidArgument, frameCut.Status);

        var notGzip = await GrpcCall.ExportAsync(_server.GrpcEndpoint, GrpcCall.Frame(valid, compressed: true), "gzip");
        Assert.Equal(InvalidArgument, notGzip.Status);

        var unknownEncoding = await GrpcCall.ExportAsync(_server.GrpcEndpoint, GrpcCall.Frame(valid, compressed: true), "zstd-nope");
        Assert.Equal(Unimplemented, unknownEncoding.Status);

        var bomb = await GrpcCall.ExportAsync(_server.GrpcEndpoint, GrpcCall.Frame(OtlpHttpReceiverTests.GzipBomb(32 * 1024 * 1024), compressed: true), "gzip");
        Assert.Equal(ResourceExhausted, bomb.Status);

        var tooLarge = await GrpcCall.ExportAsync(_server.GrpcEndpoint, GrpcCall.Frame(new byte[5 * 1024 * 1024]));
        Assert.Equal(ResourceExhausted, tooLarge.Status);

        Assert.Equal(3, await CountSpansAsync(stored[0].TraceId));
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
