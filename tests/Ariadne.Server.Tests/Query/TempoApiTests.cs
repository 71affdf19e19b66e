using System.Net;
using System.Net.Http.Headers;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Protobuf;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Query;

public sealed class TempoApiTests
{
    [Fact]
    public async Task GetTrace_AcceptProtobuf_ReturnsTheTraceInTempoProtobufShapes()
    {
        await using var server = await LoopbackServer.StartAsync();
        var spans = OtlpRequests.Trace(3);
        using (var posted = await server.PostTracesAsync(OtlpRequests.Protobuf("svc", spans)))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        using var v1Request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.TempoEndpoint, $"/api/traces/{spans[0].TraceId}"));
        v1Request.Headers.Accept.ParseAdd("application/protobuf");
        using var v1 = await server.Query.SendAsync(v1Request);
        Assert.Equal("application/protobuf", v1.Content.Headers.ContentType!.MediaType);
        var v1Batch = new SpanBatch();
        Assert.True(OtlpProtobufDecoder.TryDecode(await v1.Content.ReadAsByteArrayAsync(), v1Batch, out var error), error);
        Assert.Equal(3, v1Batch.SpanCount);

        using var v2Request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.TempoEndpoint, $"/api/v2/traces/{spans[0].TraceId}"));
        v2Request.Headers.Accept.ParseAdd("application/protobuf");
        using var v2 = await server.Query.SendAsync(v2Request);
        var body = await v2.Content.ReadAsByteArrayAsync();

        // TraceByIDResponse: field 1 (length-delimited) holds the Trace, whose field 1 holds ResourceSpans.
        Assert.Equal(0x0A, body[0]);
        var (length, prefix) = ReadVarint(body.AsSpan(1));
        var trace = body.AsSpan(1 + prefix, (int)length);
        var v2Batch = new SpanBatch();
        Assert.True(OtlpProtobufDecoder.TryDecode(trace, v2Batch, out error), error);
        Assert.Equal(3, v2Batch.SpanCount);
        Assert.Equal(spans[0].TraceId, v2Batch.Spans[0].TraceId.ToString());

        Assert.Equal("echo\n", await server.Query.GetStringAsync(new Uri(server.TempoEndpoint, "/api/echo")));
    }

    private static (ulong Value, int Length) ReadVarint(ReadOnlySpan<byte> data)
    {
        ulong value = 0;
        for (var i = 0; i < 10; i++)
        {
            value |= (ulong)(data[i] & 0x7F) << (7 * i);
            if (data[i] < 0x80)
            {
                return (value, i + 1);
            }
        }

        throw new FormatException("varint too long");
    }
}
