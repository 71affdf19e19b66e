using System.Buffers.Binary;
using System.Text;

namespace Ariadne.Server.Receivers.Otlp.Grpc;

/// <summary>The parts of gRPC-over-HTTP/2 a unary server needs: message framing and status headers.</summary>
internal static class GrpcProtocol
{
    public const int MessagePrefixLength = 5;
    public const byte UncompressedFlag = 0;
    public const byte CompressedFlag = 1;
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string SupportedEncodings = "identity,gzip,deflate";
    public const string ContentType = "application/grpc";

    public static bool IsGrpcContentType(string? contentType) =>
        contentType is not null
        && contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';');

    public static void WritePrefix(Span<byte> destination, bool compressed, int length)
    {
        destination[0] = compressed ? CompressedFlag : UncompressedFlag;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }

    /// <summary>
    /// grpc-message is percent-encoded UTF-8: printable ASCII other than '%' passes through, everything
    /// else becomes %XX, as the gRPC HTTP/2 protocol document requires.
    /// </summary>
    public static string EncodeMessage(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
