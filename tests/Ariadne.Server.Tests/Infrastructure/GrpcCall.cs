using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;

namespace Ariadne.Server.Tests.Infrastructure;

internal sealed record GrpcResult(int Status, string? Message, byte[] Body, string? StatusDetails = null);

/// <summary>A raw unary gRPC call over HTTP/2 cleartext, to send what a well-behaved client never would.</summary>
internal static class GrpcCall
{
    private static readonly HttpClient Client = new() { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

    public static byte[] Frame(ReadOnlySpan<byte> message, bool compressed = false)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame.AsSpan(5));
        return frame;
    }

    public static async Task<GrpcResult> ExportAsync(Uri endpoint, byte[] body, string? grpcEncoding = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, "/opentelemetry.proto.collector.trace.v1.TraceService/Export"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (grpcEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("grpc-encoding", grpcEncoding);
        }

        foreach (var (name, value) in metadata ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await Client.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var status = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status");
        var message = Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message");
        var details = Header(response.TrailingHeaders, "grpc-status-details-bin") ?? Header(response.Headers, "grpc-status-details-bin");
        return new GrpcResult(status is null ? -1 : int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), message is null ? null : Uri.UnescapeDataString(message), bytes, details);
    }

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
