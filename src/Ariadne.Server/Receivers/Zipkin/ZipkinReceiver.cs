using Ariadne.Model;
using Ariadne.Protocols.Zipkin;
using Ariadne.Server.Configuration;
using Ariadne.Server.Ingest;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Receivers.Zipkin;

/// <summary>
/// Zipkin's <c>POST /api/v2/spans</c> (JSON, or proto3 with <c>application/x-protobuf</c>; gzip or
/// deflate allowed), answered 202 as Zipkin answers once the spans are durable. A span without a
/// service name or with bad ids is rejected alone; the rest of the request is stored and the 202's
/// text says what was rejected. Malformed bodies are a 400 naming the problem.
/// </summary>
internal sealed class ZipkinReceiver
{
    public const string SpansPath = "/api/v2/spans";

    private readonly TraceIngest _ingest;
    private readonly Pipeline.SpanPipeline? _pipeline;
    private readonly long _maxBodySize;

    public ZipkinReceiver(TraceIngest ingest, AriadneOptions options, ReceiverMetrics metrics, PipelineRouter pipelines)
    {
        _pipeline = pipelines.For("zipkin");
        _ingest = ingest;
        _maxBodySize = options.Receivers.Zipkin.MaxRequestBodySize;
        Counters = metrics.For("zipkin");
    }

    public ReceiverCounters Counters { get; }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var protobuf = IsProtobuf(request.ContentType);
        if (protobuf is null)
        {
            await TextAsync(context, StatusCodes.Status415UnsupportedMediaType,
                $"unsupported content type '{request.ContentType}'; use application/json or application/x-protobuf");
            return;
        }

        if (!_ingest.Admits(Tenancy.RequestTenant.From(context), _pipeline, Counters, out var refusal))
        {
            context.Response.Headers.RetryAfter = "1";
            await TextAsync(context, StatusCodes.Status503ServiceUnavailable, refusal);
            return;
        }

        var contentEncoding = request.Headers.ContentEncoding.ToString();
        var (status, body) = await BodyReader.ReadAsync(request.Body, request.ContentLength, contentEncoding, _maxBodySize, context.RequestAborted);
        using (body)
        {
            if (status != BodyReadStatus.Ok)
            {
                var (httpStatus, message) = BodyReader.Refusal(context, status, contentEncoding, _maxBodySize);
                await TextAsync(context, httpStatus, message);
                return;
            }

            var scratch = ScratchBatch.Take(body!.Memory.Length);
            var translator = new ZipkinTranslator(scratch);
            var decoded = protobuf.Value
                ? ZipkinProtobufDecoder.TryDecode(body!.Span, scratch, translator, out var error)
                : ZipkinJsonDecoder.TryDecode(body!.Span, scratch, translator, out error);
            if (!decoded)
            {
                await TextAsync(context, StatusCodes.Status400BadRequest, $"cannot decode the Zipkin {(protobuf.Value ? "ListOfSpans" : "JSON")}: {error}");
                return;
            }

            var batch = ScratchBatch.Keep(scratch);

            if (translator.Rejected > 0 && batch.SpanCount == 0)
            {
                Counters.Add(0, translator.Rejected);
                await TextAsync(context, StatusCodes.Status400BadRequest, $"all {translator.Rejected} span(s) rejected; first: {translator.FirstRejection}");
                return;
            }

            var result = await _ingest.IngestAsync(Tenancy.RequestTenant.From(context), batch, body.Memory.Length, Counters, _pipeline, context.RequestAborted);
            if (result.Outcome == IngestOutcome.Unavailable)
            {
                Counters.Add(0, translator.Rejected);
                context.Response.Headers.RetryAfter = "1";
                await TextAsync(context, StatusCodes.Status503ServiceUnavailable, result.ErrorMessage ?? "unavailable");
                return;
            }

            if (result.Outcome == IngestOutcome.RateLimited)
            {
                Counters.Add(0, translator.Rejected);
                context.Response.Headers.RetryAfter = result.RetryAfterSeconds;
                await TextAsync(context, StatusCodes.Status429TooManyRequests, result.ErrorMessage ?? "rate limited");
                return;
            }

            Counters.Add(0, translator.Rejected);
            var rejected = translator.Rejected + result.RejectedSpans;
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            if (rejected > 0)
            {
                var first = translator.FirstRejection ?? result.ErrorMessage;
                await TextAsync(context, StatusCodes.Status202Accepted, $"{result.AcceptedSpans} span(s) accepted, {rejected} rejected; first: {first}");
            }
        }
    }

    private static bool? IsProtobuf(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        if (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return mediaType.Equals("application/x-protobuf", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/protobuf", StringComparison.OrdinalIgnoreCase)
            ? true
            : null;
    }

    private static Task TextAsync(HttpContext context, int status, string text) => Query.HttpResponses.WriteTextAsync(context, status, text);
}
