using System.Buffers;
using System.Text;

namespace Ariadne.Server.Receivers.Otlp.Grpc;

/// <summary>
/// The <c>grpc-status-details-bin</c> trailer for RESOURCE_EXHAUSTED: a <c>google.rpc.Status</c> whose
/// details hold a <c>google.rpc.RetryInfo</c>, which is what tells OTLP exporters the error is
/// retryable and after how long.
/// </summary>
internal static class GrpcRetryInfo
{
    public const string DetailsHeader = "grpc-status-details-bin";
    private const string RetryInfoType = "type.googleapis.com/google.rpc.RetryInfo";

    // Field numbers: google.rpc.Status, google.protobuf.Any, google.rpc.RetryInfo, google.protobuf.Duration.
    private const int StatusCodeField = 1;
    private const int StatusMessageField = 2;
    private const int StatusDetailsField = 3;
    private const int AnyTypeUrlField = 1;
    private const int AnyValueField = 2;
    private const int RetryDelayField = 1;
    private const int DurationSecondsField = 1;
    private const int DurationNanosField = 2;

    /// <summary>The header value: the serialized Status in base64 without padding, as gRPC writes binary metadata.</summary>
    public static string Encode(GrpcStatusCode code, string message, TimeSpan retryDelay)
    {
        var duration = new ArrayBufferWriter<byte>(16);
        var seconds = (long)retryDelay.TotalSeconds;
        var nanos = (int)((retryDelay.Ticks % TimeSpan.TicksPerSecond) * 100);
        if (seconds != 0)
        {
            Varint(duration, (DurationSecondsField << 3) | 0);
            Varint(duration, (ulong)seconds);
        }

        if (nanos != 0)
        {
            Varint(duration, (DurationNanosField << 3) | 0);
            Varint(duration, (ulong)nanos);
        }

        var retryInfo = new ArrayBufferWriter<byte>(32);
        Bytes(retryInfo, RetryDelayField, duration.WrittenSpan);
        var any = new ArrayBufferWriter<byte>(64);
        Bytes(any, AnyTypeUrlField, Encoding.UTF8.GetBytes(RetryInfoType));
        Bytes(any, AnyValueField, retryInfo.WrittenSpan);
        var status = new ArrayBufferWriter<byte>(128);
        Varint(status, (StatusCodeField << 3) | 0);
        Varint(status, (ulong)code);
        Bytes(status, StatusMessageField, Encoding.UTF8.GetBytes(message));
        Bytes(status, StatusDetailsField, any.WrittenSpan);
        return Convert.ToBase64String(status.WrittenSpan).TrimEnd('=');
    }

    private static void Bytes(ArrayBufferWriter<byte> output, int field, ReadOnlySpan<byte> value)
    {
        Varint(output, ((ulong)field << 3) | 2);
        Varint(output, (ulong)value.Length);
        output.Write(value);
    }

    private static void Varint(ArrayBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        output.Advance(i);
    }
}
