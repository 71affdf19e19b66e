using System.Buffers;
using System.Text.Json;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Json;
using Ariadne.Protocols.Otlp.Protobuf;
using Ariadne.Server.Configuration;
using Ariadne.Server.Ingest;
using Ariadne.Server.Receivers.Otlp.Grpc;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Receivers.Otlp.Http;

/// <summary>
/// OTLP/HTTP <c>POST /v1/traces</c> as a thin adapter over <see cref="TraceIngest"/>. Errors are
/// <c>google.rpc.Status</c> bodies in the request's encoding, with the status codes of the OTLP spec.
/// </summary>
internal sealed class OtlpHttpReceiver
{
    public const string TracesPath = "/v1/traces";
    public const string ProtobufContentType = "application/x-protobuf";
    public const string JsonContentType = "application/json";

    private readonly TraceIngest _ingest;
    private readonly Pipeline.SpanPipeline? _pipeline;
    private readonly long _maxBodySize;

    public OtlpHttpReceiver(TraceIngest ingest, AriadneOptions options, ReceiverMetrics metrics, PipelineRouter pipelines)
    {
        _pipeline = pipelines.For("otlp");
        _ingest = ingest;
        _maxBodySize = options.Receivers.Otlp.Protocols.Http.MaxRequestBodySize;
        Counters = metrics.For("otlp/http");
    }

    public ReceiverCounters Counters { get; }

    private enum Encoding
    {
        Protobuf,
        Json,
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var encoding = ParseContentType(request.ContentType);
        if (encoding is null)
        {
            await WriteStatusAsync(context, Encoding.Json, StatusCodes.Status415UnsupportedMediaType, GrpcStatusCode.InvalidArgument,
                $"unsupported content type '{request.ContentType}'; use {ProtobufContentType} or {JsonContentType}");
            return;
        }

        if (!_ingest.Admits(Tenancy.RequestTenant.From(context), _pipeline, Counters, out var refusal))
        {
            context.Response.Headers.RetryAfter = "1";
            await WriteStatusAsync(context, encoding.Value, StatusCodes.Status503ServiceUnavailable, GrpcStatusCode.Unavailable, refusal);
            return;
        }

        var contentEncoding = request.Headers.ContentEncoding.ToString();
        var (status, body) = await BodyReader.ReadAsync(request.Body, request.ContentLength, contentEncoding, _maxBodySize, context.RequestAborted);
        using (body)
        {
            if (status != BodyReadStatus.Ok)
            {
                var (httpStatus, message) = BodyReader.Refusal(context, status, contentEncoding, _maxBodySize);
                var code = status == BodyReadStatus.TooLarge ? GrpcStatusCode.ResourceExhausted : GrpcStatusCode.InvalidArgument;
                await WriteStatusAsync(context, encoding.Value, httpStatus, code, message);
                return;
            }

            var scratch = ScratchBatch.Take(body!.Memory.Length);
            var decoded = encoding == Encoding.Protobuf
                ? OtlpProtobufDecoder.TryDecode(body!.Span, scratch, out var error)
                : OtlpJsonDecoder.TryDecode(body!.Span, scratch, out error);
            if (!decoded)
            {
                await WriteStatusAsync(context, encoding.Value, StatusCodes.Status400BadRequest, GrpcStatusCode.InvalidArgument,
                    $"cannot decode ExportTraceServiceRequest: {error}");
                return;
            }

            var batch = ScratchBatch.Keep(scratch);

            var result = await _ingest.IngestAsync(Tenancy.RequestTenant.From(context), batch, body.Memory.Length, Counters, _pipeline, context.RequestAborted);
            if (result.Outcome == IngestOutcome.Unavailable)
            {
                context.Response.Headers.RetryAfter = "1";
                await WriteStatusAsync(context, encoding.Value, StatusCodes.Status503ServiceUnavailable, GrpcStatusCode.Unavailable,
                    result.ErrorMessage ?? "unavailable");
                return;
            }

            if (result.Outcome == IngestOutcome.RateLimited)
            {
                // 429 with Retry-After is the OTLP/HTTP answer an exporter retries after waiting.
                context.Response.Headers.RetryAfter = result.RetryAfterSeconds;
                await WriteStatusAsync(context, encoding.Value, StatusCodes.Status429TooManyRequests, GrpcStatusCode.ResourceExhausted, result.ErrorMessage ?? "rate limited");
                return;
            }

            var output = new ArrayBufferWriter<byte>(64);
            if (encoding == Encoding.Protobuf)
            {
                OtlpProtobufEncoder.WriteExportResponse(output, result.RejectedSpans, result.ErrorMessage);
            }
            else
            {
                using var writer = new Utf8JsonWriter(output);
                OtlpJsonEncoder.WriteExportResponse(writer, result.RejectedSpans, result.ErrorMessage);
            }

            await WriteAsync(context, encoding.Value, StatusCodes.Status200OK, output);
        }
    }

    /// <summary>An error as a <c>google.rpc.Status</c> in the request's encoding (JSON when it names none we know).</summary>
    public static Task WriteErrorAsync(HttpContext context, int httpStatus, GrpcStatusCode code, string message) =>
        WriteStatusAsync(context, ParseContentType(context.Request.ContentType) ?? Encoding.Json, httpStatus, code, message);

    private static Encoding? ParseContentType(string? contentType)
    {
        if (contentType is null)
        {
            return null;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        if (mediaType.Equals(ProtobufContentType, StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/protobuf", StringComparison.OrdinalIgnoreCase))
        {
            return Encoding.Protobuf;
        }

        return mediaType.Equals(JsonContentType, StringComparison.OrdinalIgnoreCase) ? Encoding.Json : null;
    }

    private static Task WriteStatusAsync(HttpContext context, Encoding encoding, int httpStatus, GrpcStatusCode code, string message)
    {
        var output = new ArrayBufferWriter<byte>(128);
        if (encoding == Encoding.Protobuf)
        {
            OtlpProtobufEncoder.WriteStatus(output, (int)code, message);
        }
        else
        {
            using var writer = new Utf8JsonWriter(output);
            OtlpJsonEncoder.WriteStatus(writer, (int)code, message);
        }

        return WriteAsync(context, encoding, httpStatus, output);
    }

    private static async Task WriteAsync(HttpContext context, Encoding encoding, int httpStatus, ArrayBufferWriter<byte> output)
    {
        var response = context.Response;
        response.StatusCode = httpStatus;
        response.ContentType = encoding == Encoding.Protobuf ? ProtobufContentType : JsonContentType;
        response.ContentLength = output.WrittenCount;
        await response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
    }
}
