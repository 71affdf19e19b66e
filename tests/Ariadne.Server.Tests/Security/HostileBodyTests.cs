using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Ariadne.Server.Tests.Infrastructure;
using Ariadne.Server.Tests.Receivers;

namespace Ariadne.Server.Tests.Security;

/// <summary>
/// Bodies built to exhaust the server, over real sockets: decompression bombs on every receiver are
/// refused with the protocol's own error once the inflated size passes the limit, a declared length
/// over the limit is refused before the body is read, and HTTP/2 advertises its stream and header limits.
/// </summary>
public sealed class HostileBodyTests : IAsyncLifetime
{
    private const int Limit = 4 * 1024 * 1024;
    private const int ResourceExhausted = 8;

    private LoopbackServer _server = null!;

    public async Task InitializeAsync() => _server = await LoopbackServer.StartAsync(configure: o =>
    {
        o.Receivers.Otlp.Protocols.Http.MaxRequestBodySize = Limit;
        o.Receivers.Otlp.Protocols.Grpc.MaxRecvMsgSizeMib = 4;
        o.Receivers.Zipkin.MaxRequestBodySize = Limit;
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("otlp", "gzip")]
    [InlineData("otlp", "deflate")]
    [InlineData("zipkin", "gzip")]
    [InlineData("zipkin", "deflate")]
    public async Task HttpBomb_IsRefusedWith413(string receiver, string encoding)
    {
        var bomb = Bomb(64 * 1024 * 1024, encoding);
        Assert.True(bomb.Length < 256 * 1024);
        using var client = new HttpClient();
        using var content = new ByteArrayContent(bomb);
        content.Headers.ContentType = new MediaTypeHeaderValue(receiver == "otlp" ? "application/x-protobuf" : "application/json");
        content.Headers.ContentEncoding.Add(encoding);
        var uri = receiver == "otlp" ? new Uri(_server.HttpEndpoint, "/v1/traces") : new Uri(_server.ZipkinEndpoint, "/api/v2/spans");
        using var response = await client.PostAsync(uri, content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task GrpcDeflateBomb_IsResourceExhausted()
    {
        var result = await GrpcCall.ExportAsync(_server.GrpcEndpoint, GrpcCall.Frame(Bomb(32 * 1024 * 1024, "deflate"), compressed: true), "deflate");
        Assert.Equal(ResourceExhausted, result.Status);
    }

    [Fact]
    public async Task DeclaredLengthOverTheLimit_IsRefusedBeforeTheBodyIsSent()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _server.Ports.Http);
        var stream = socket.GetStream();
        var head = "POST /v1/traces HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-protobuf\r\nContent-Length: 1099511627776\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        // Not one byte of the terabyte is sent: the answer must come from the header alone.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer, timeout.Token);
        Assert.StartsWith("HTTP/1.1 413", Encoding.ASCII.GetString(buffer, 0, read), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowBody_AByteASecond_IsCutOffByTheMinimumDataRate()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _server.Ports.Http);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /v1/traces HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-protobuf\r\nContent-Length: 100000\r\n\r\n"));

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var dribble = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await stream.WriteAsync(new byte[] { 0x0A }, stop.Token);
                    await Task.Delay(1000, stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
            }
        });

        // Kestrel's grace period is 10 s at 1 KiB/s; the answer (408) or the close must come well before 30 s.
        var started = DateTime.UtcNow;
        var buffer = new byte[4096];
        string answer;
        try
        {
            var read = await stream.ReadAsync(buffer, stop.Token);
            answer = Encoding.ASCII.GetString(buffer, 0, read);
        }
        catch (IOException)
        {
            answer = string.Empty;
        }

        var elapsed = DateTime.UtcNow - started;
        await stop.CancelAsync();
        await dribble;
        Assert.False(stop.IsCancellationRequested && elapsed >= TimeSpan.FromSeconds(29), "the slow client was never cut off");
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(25));
    }

    [Fact]
    public async Task Http2Listener_AdvertisesItsStreamHeaderAndFlowControlLimits()
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _server.Ports.Grpc);
        var stream = socket.GetStream();
        await stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await stream.WriteAsync(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 });

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var header = new byte[9];
        await stream.ReadExactlyAsync(header, timeout.Token);
        Assert.Equal(4, header[3]);
        var payload = new byte[(header[0] << 16) | (header[1] << 8) | header[2]];
        await stream.ReadExactlyAsync(payload, timeout.Token);
        var settings = new Dictionary<int, uint>();
        for (var i = 0; i + 6 <= payload.Length; i += 6)
        {
            settings[(payload[i] << 8) | payload[i + 1]] = (uint)((payload[i + 2] << 24) | (payload[i + 3] << 16) | (payload[i + 4] << 8) | payload[i + 5]);
        }

        const int MaxConcurrentStreams = 3;
        const int MaxHeaderListSize = 6;
        const int InitialWindowSize = 4;
        Assert.Equal(256u, settings[MaxConcurrentStreams]);
        Assert.Equal(64u * 1024, settings[MaxHeaderListSize]);
        Assert.Equal(4u * 1024 * 1024, settings[InitialWindowSize]);

        // The connection's window starts at HTTP/2's 65,535 bytes; the server raises it with a
        // WINDOW_UPDATE on stream 0 so that many requests in flight on one connection are not held
        // back a frame at a time.
        uint? connectionIncrement = null;
        while (connectionIncrement is null)
        {
            await stream.ReadExactlyAsync(header, timeout.Token);
            var frame = new byte[(header[0] << 16) | (header[1] << 8) | header[2]];
            await stream.ReadExactlyAsync(frame, timeout.Token);
            var streamId = ((header[5] & 0x7F) << 24) | (header[6] << 16) | (header[7] << 8) | header[8];
            if (header[3] == 8 && streamId == 0)
            {
                connectionIncrement = (uint)(((frame[0] & 0x7F) << 24) | (frame[1] << 16) | (frame[2] << 8) | frame[3]);
            }
        }

        Assert.Equal((16u * 1024 * 1024) - 65_535, connectionIncrement);
    }

    /// <summary>Many compressed members of zeros back to back: a few KB per inflated MB.</summary>
    internal static byte[] Bomb(long inflatedSize, string encoding)
    {
        if (encoding == "gzip")
        {
            var member = OtlpHttpReceiverTests.GzipBomb(1024 * 1024);
            using var output = new MemoryStream();
            for (long written = 0; written < inflatedSize; written += 1024 * 1024)
            {
                output.Write(member);
            }

            return output.ToArray();
        }

        using var zlibOutput = new MemoryStream();
        using (var zlib = new ZLibStream(zlibOutput, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (long written = 0; written < inflatedSize; written += zeros.Length)
            {
                zlib.Write(zeros);
            }
        }

        return zlibOutput.ToArray();
    }
}
