using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Protobuf;

namespace Ariadne.Pipeline.Exporters;

/// <summary>What became of one attempt to deliver a batch.</summary>
internal enum SendOutcome
{
    Sent,

    /// <summary>The backend could not take it now (down, overloaded, timed out): try again later.</summary>
    Retry,

    /// <summary>The backend refused it for good (malformed, unauthorised, too large): retrying cannot help.</summary>
    Rejected,
}

internal readonly record struct SendResult(SendOutcome Outcome, string? Error = null, TimeSpan? RetryAfter = null)
{
    public static SendResult Sent => new(SendOutcome.Sent);
}

/// <summary>Delivers batches to one backend.</summary>
internal abstract class SpanSender : IDisposable
{
    private readonly HttpClient _client;

    protected SpanSender(OtlpExporterSettings settings)
    {
        Settings = settings;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            EnableMultipleHttp2Connections = true,
        };
        if (settings.Tls is { } tls)
        {
            ClientTls.Apply(handler.SslOptions, tls);
        }

        _client = new HttpClient(handler) { Timeout = settings.Timeout };
    }

    public OtlpExporterSettings Settings { get; }

    public static SpanSender Create(OtlpExporterSettings settings) =>
        settings.Grpc ? new OtlpGrpcSender(settings) : new OtlpHttpSender(settings);

    public async Task<SendResult> SendAsync(SpanBatch batch, CancellationToken cancellationToken)
    {
        var body = new ArrayBufferWriter<byte>(4096);
        OtlpProtobufEncoder.WriteTracesData(batch, body);
        using var request = CreateRequest(body.WrittenMemory);
        foreach (var (name, value) in Settings.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        try
        {
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            return await ReadResultAsync(response, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            return new SendResult(SendOutcome.Retry, e.Message);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new SendResult(SendOutcome.Retry, $"no answer within {Settings.Timeout.TotalSeconds:0.###} s");
        }
    }

    protected abstract HttpRequestMessage CreateRequest(ReadOnlyMemory<byte> tracesData);

    protected abstract Task<SendResult> ReadResultAsync(HttpResponseMessage response, CancellationToken cancellationToken);

    protected static byte[] Gzip(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    protected static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta
        ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);

    public void Dispose() => _client.Dispose();
}

/// <summary>OTLP/HTTP: protobuf POSTed to the traces URL; 429, 502, 503 and 504 are retried, as the OTLP specification says.</summary>
internal sealed class OtlpHttpSender(OtlpExporterSettings settings) : SpanSender(settings)
{
    protected override HttpRequestMessage CreateRequest(ReadOnlyMemory<byte> tracesData)
    {
        HttpContent content = Settings.Gzip ? new ByteArrayContent(Gzip(tracesData.Span)) : new ReadOnlyMemoryContent(tracesData);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        if (Settings.Gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        return new HttpRequestMessage(HttpMethod.Post, Settings.Endpoint) { Content = content };
    }

    protected override async Task<SendResult> ReadResultAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return SendResult.Sent;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var error = $"HTTP {(int)response.StatusCode} from {Settings.Endpoint}{(text.Length > 0 && text.Length < 300 && response.Content.Headers.ContentType?.MediaType?.StartsWith("text", StringComparison.Ordinal) == true ? ": " + text : string.Empty)}";
        return response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
            ? new SendResult(SendOutcome.Retry, error, RetryAfter(response))
            : new SendResult(SendOutcome.Rejected, error);
    }
}

/// <summary>OTLP/gRPC over HTTP/2: the TraceService/Export call framed by hand; retryable status codes as the OTLP specification lists them.</summary>
internal sealed class OtlpGrpcSender(OtlpExporterSettings settings) : SpanSender(settings)
{
    private const string ExportPath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    protected override HttpRequestMessage CreateRequest(ReadOnlyMemory<byte> tracesData)
    {
        var message = Settings.Gzip ? Gzip(tracesData.Span) : tracesData.ToArray();
        var frame = new byte[5 + message.Length];
        frame[0] = Settings.Gzip ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame.AsSpan(5));
        var content = new ByteArrayContent(frame);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Settings.Endpoint, ExportPath))
        {
            Content = content,
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (Settings.Gzip)
        {
            request.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");
        }

        return request;
    }

    protected override async Task<SendResult> ReadResultAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var error = $"HTTP {(int)response.StatusCode} from {Settings.Endpoint}";
            return response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout
                ? new SendResult(SendOutcome.Retry, error)
                : new SendResult(SendOutcome.Rejected, error);
        }

        // A trailers-only answer carries the status in the headers.
        var status = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status");
        if (status is null || !int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return new SendResult(SendOutcome.Retry, $"no grpc-status from {Settings.Endpoint}");
        }

        if (code == 0)
        {
            return SendResult.Sent;
        }

        var message = Uri.UnescapeDataString(Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message") ?? string.Empty);
        var failure = $"gRPC status {code} from {Settings.Endpoint}: {message}";

        // CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS.
        return code is 1 or 4 or 8 or 10 or 11 or 14 or 15
            ? new SendResult(SendOutcome.Retry, failure)
            : new SendResult(SendOutcome.Rejected, failure);
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
