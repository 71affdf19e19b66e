using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Protobuf;
using Ariadne.Server.Configuration;
using Ariadne.Server.Ingest;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Ariadne.Server.Receivers.Otlp.Grpc;

/// <summary>
/// OTLP/gRPC <c>TraceService/Export</c> as a thin adapter over <see cref="TraceIngest"/>: unary gRPC
/// framing on Kestrel's HTTP/2, with the status codes the OTLP specification asks for.
/// </summary>
internal sealed class OtlpGrpcReceiver
{
    public const string ExportPath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    private readonly TraceIngest _ingest;
    private readonly Pipeline.SpanPipeline? _pipeline;
    private readonly long _maxMessageSize;

    public OtlpGrpcReceiver(TraceIngest ingest, AriadneOptions options, ReceiverMetrics metrics, PipelineRouter pipelines)
    {
        _pipeline = pipelines.For("otlp");
        _ingest = ingest;
        _maxMessageSize = options.Receivers.Otlp.Protocols.Grpc.MaxRecvMsgSizeMib * 1024L * 1024L;
        Counters = metrics.For("otlp/grpc");
    }

    public ReceiverCounters Counters { get; }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            context.Response.Headers.Upgrade = "h2c";
            return;
        }

        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            // The gRPC protocol answers a request that is not gRPC with plain HTTP 415.
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        if (!_ingest.Admits(Tenancy.RequestTenant.From(context), _pipeline, Counters, out var refusal))
        {
            FinishWithStatus(context, GrpcStatusCode.Unavailable, refusal);
            return;
        }

        var encoding = request.Headers[GrpcProtocol.EncodingHeader].ToString();
        var (status, body) = await BodyReader.ReadAsync(
            request.Body, request.ContentLength, encoding: null, _maxMessageSize + GrpcProtocol.MessagePrefixLength, context.RequestAborted);
        using (body)
        {
            if (status == BodyReadStatus.TooLarge || body is null)
            {
                FinishWithStatus(context, GrpcStatusCode.ResourceExhausted, $"message larger than the limit of {_maxMessageSize} bytes");
                return;
            }

            await HandleMessageAsync(context, body, encoding);
        }
    }

    private async Task HandleMessageAsync(HttpContext context, PooledBuffer body, string encoding)
    {
        var frame = body.Memory;
        if (frame.Length < GrpcProtocol.MessagePrefixLength)
        {
            FinishWithStatus(context, GrpcStatusCode.InvalidArgument, "request has no complete gRPC message");
            return;
        }

        var flag = frame.Span[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(frame.Span[1..]);
        if (length != frame.Length - GrpcProtocol.MessagePrefixLength)
        {
            FinishWithStatus(context, GrpcStatusCode.InvalidArgument, length > frame.Length - GrpcProtocol.MessagePrefixLength
                ? "gRPC message is truncated"
                : "a unary call carries exactly one gRPC message");
            return;
        }

        var message = frame[GrpcProtocol.MessagePrefixLength..];
        PooledBuffer? inflated = null;
        try
        {
            if (flag == GrpcProtocol.CompressedFlag)
            {
                if (encoding.Length == 0 || encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
                {
                    FinishWithStatus(context, GrpcStatusCode.Internal, "compressed message without grpc-encoding");
                    return;
                }

                if (!BodyReader.IsSupportedEncoding(encoding))
                {
                    context.Response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
                    FinishWithStatus(context, GrpcStatusCode.Unimplemented, $"grpc-encoding '{encoding}' is not supported");
                    return;
                }

                var (status, decompressed) = await BodyReader.DecompressAsync(message, encoding, _maxMessageSize, context.RequestAborted);
                switch (status)
                {
                    case BodyReadStatus.TooLarge:
                        FinishWithStatus(context, GrpcStatusCode.ResourceExhausted, $"decompressed message larger than the limit of {_maxMessageSize} bytes");
                        return;
                    case BodyReadStatus.BadEncoding:
                        FinishWithStatus(context, GrpcStatusCode.InvalidArgument, $"message is not valid {encoding}");
                        return;
                }

                inflated = decompressed!;
                message = inflated.Memory;
            }
            else if (flag != GrpcProtocol.UncompressedFlag)
            {
                FinishWithStatus(context, GrpcStatusCode.InvalidArgument, "invalid gRPC message flag");
                return;
            }
            else if (message.Length > _maxMessageSize)
            {
                FinishWithStatus(context, GrpcStatusCode.ResourceExhausted, $"message larger than the limit of {_maxMessageSize} bytes");
                return;
            }

            var scratch = ScratchBatch.Take(message.Length);
            if (!OtlpProtobufDecoder.TryDecode(message.Span, scratch, out var error))
            {
                FinishWithStatus(context, GrpcStatusCode.InvalidArgument, $"cannot decode ExportTraceServiceRequest: {error}");
                return;
            }

            var batch = ScratchBatch.Keep(scratch);

            var result = await _ingest.IngestAsync(Tenancy.RequestTenant.From(context), batch, message.Length, Counters, _pipeline, context.RequestAborted);
            if (result.Outcome == IngestOutcome.Unavailable)
            {
                FinishWithStatus(context, GrpcStatusCode.Unavailable, result.ErrorMessage ?? "unavailable");
                return;
            }

            if (result.Outcome == IngestOutcome.RateLimited)
            {
                await FinishWithRetryInfoAsync(context, result.ErrorMessage ?? "rate limited", result.RetryAfter);
                return;
            }

            await WriteResponseAsync(context, result);
        }
        finally
        {
            inflated?.Dispose();
        }
    }

    private static async Task WriteResponseAsync(HttpContext context, IngestResult result)
    {
        var payload = new ArrayBufferWriter<byte>(64);
        OtlpProtobufEncoder.WriteExportResponse(payload, result.RejectedSpans, result.ErrorMessage);

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        var prefix = new byte[GrpcProtocol.MessagePrefixLength];
        GrpcProtocol.WritePrefix(prefix, compressed: false, payload.WrittenCount);
        await response.Body.WriteAsync(prefix, context.RequestAborted);
        await response.Body.WriteAsync(payload.WrittenMemory, context.RequestAborted);
        response.AppendTrailer(GrpcProtocol.StatusHeader, "0");
    }

    /// <summary>
    /// RESOURCE_EXHAUSTED with a RetryInfo, as headers followed by trailers rather than trailers-only:
    /// HTTP clients hand a trailers-only answer over as ordinary headers, and exporters look for
    /// <c>grpc-status-details-bin</c> among the trailers.
    /// </summary>
    private static async Task FinishWithRetryInfoAsync(HttpContext context, string message, TimeSpan retryAfter)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        await response.StartAsync(context.RequestAborted);
        response.AppendTrailer(GrpcProtocol.StatusHeader, ((int)GrpcStatusCode.ResourceExhausted).ToString(CultureInfo.InvariantCulture));
        response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcProtocol.EncodeMessage(message));
        response.AppendTrailer(GrpcRetryInfo.DetailsHeader, GrpcRetryInfo.Encode(GrpcStatusCode.ResourceExhausted, message, retryAfter));
    }

    /// <summary>A "trailers-only" response: the status travels in the only HEADERS frame.</summary>
    public static void FinishWithStatus(HttpContext context, GrpcStatusCode code, string message)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.StatusHeader] = ((int)code).ToString(CultureInfo.InvariantCulture);
        response.Headers[GrpcProtocol.MessageHeader] = GrpcProtocol.EncodeMessage(message);
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }
}
