using System.IO.Compression;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Receivers;

/// <summary>
/// Reads a request body into a pooled buffer, decompressing as it goes and stopping as soon as the
/// decompressed size passes the limit, so neither a large body nor a decompression bomb is ever held
/// in memory beyond the limit.
/// </summary>
internal static class BodyReader
{
    private const int MaxInitialCapacity = 1 << 20;

    /// <summary>
    /// What an HTTP receiver answers when a body could not be read: the status code and the reason, the
    /// same for every receiver whatever shape it wraps the reason in. A too-large body also closes the
    /// connection, so the client stops sending the rest.
    /// </summary>
    public static (int HttpStatus, string Message) Refusal(HttpContext context, BodyReadStatus status, string contentEncoding, long maxBodySize)
    {
        switch (status)
        {
            case BodyReadStatus.UnsupportedEncoding:
                return (StatusCodes.Status415UnsupportedMediaType, $"unsupported Content-Encoding '{contentEncoding}'; use gzip, deflate or none");
            case BodyReadStatus.TooLarge:
                context.Response.Headers.Connection = "close";
                return (StatusCodes.Status413PayloadTooLarge, $"request body larger than the limit of {maxBodySize} bytes");
            default:
                return (StatusCodes.Status400BadRequest, $"request body is not valid {contentEncoding}");
        }
    }

    public static bool IsSupportedEncoding(string? encoding) =>
        string.IsNullOrEmpty(encoding)
        || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase)
        || encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase)
        || encoding.Equals("deflate", StringComparison.OrdinalIgnoreCase);

    public static async Task<(BodyReadStatus Status, PooledBuffer? Body)> ReadAsync(
        Stream body, long? contentLength, string? encoding, long limit, CancellationToken cancellationToken)
    {
        if (!IsSupportedEncoding(encoding))
        {
            return (BodyReadStatus.UnsupportedEncoding, null);
        }

        // A compressed body is never larger than what it inflates to by more than a few bytes, so a
        // declared length over the limit can be refused before reading anything.
        if (contentLength > limit + 1024)
        {
            return (BodyReadStatus.TooLarge, null);
        }

        var initial = (int)Math.Min(contentLength ?? 16 * 1024, MaxInitialCapacity);
        var compressed = encoding is not null && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase) && encoding.Length > 0;
        Stream source = body;
        if (compressed)
        {
            source = encoding!.Equals("gzip", StringComparison.OrdinalIgnoreCase)
                ? new GZipStream(body, CompressionMode.Decompress, leaveOpen: true)
                : new ZLibStream(body, CompressionMode.Decompress, leaveOpen: true);
            initial = Math.Min(initial * 4, MaxInitialCapacity);
        }

        var buffer = new PooledBuffer(initial);
        try
        {
            var status = await CopyWithLimitAsync(source, buffer, limit, cancellationToken);
            if (status != BodyReadStatus.Ok)
            {
                buffer.Dispose();
                return (status, null);
            }

            return (BodyReadStatus.Ok, buffer);
        }
        catch (InvalidDataException)
        {
            buffer.Dispose();
            return (BodyReadStatus.BadEncoding, null);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
        finally
        {
            if (compressed)
            {
                await source.DisposeAsync();
            }
        }
    }

    /// <summary>Decompresses an in-memory gRPC message with the same limit rules.</summary>
    public static async Task<(BodyReadStatus Status, PooledBuffer? Body)> DecompressAsync(
        ReadOnlyMemory<byte> compressed, string encoding, long limit, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStreamOver(compressed);
        return await ReadAsync(stream, null, encoding, limit, cancellationToken);
    }

    private static async Task<BodyReadStatus> CopyWithLimitAsync(Stream source, PooledBuffer buffer, long limit, CancellationToken cancellationToken)
    {
        // Reading one byte past the limit is how an over-limit body is told apart from one exactly at it.
        while (true)
        {
            var free = buffer.GetFreeMemory(limit + 1);
            var room = (int)Math.Min(free.Length, limit + 1 - buffer.Length);
            if (room <= 0)
            {
                return BodyReadStatus.TooLarge;
            }

            var read = await source.ReadAsync(free[..room], cancellationToken);
            if (read == 0)
            {
                return BodyReadStatus.Ok;
            }

            buffer.Advance(read);
            if (buffer.Length > limit)
            {
                return BodyReadStatus.TooLarge;
            }
        }
    }
}
