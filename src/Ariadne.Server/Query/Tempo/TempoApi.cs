using System.Buffers;
using System.Text.Json;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Json;
using Ariadne.Protocols.Otlp.Protobuf;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Query.Tempo;

/// <summary>Grafana Tempo's query API shapes, so Grafana's Tempo data source works unchanged.</summary>
internal sealed class TempoApi
{
    public const string ProtobufContentType = "application/protobuf";

    // tempopb.TraceByIDResponse.trace: the v2 response nests the trace in field 1.
    private const int TraceByIdResponseTraceField = 1;

    private readonly TraceLookup _traces;

    public TempoApi(TraceLookup traces) => _traces = traces;

    public Task GetTraceV1Async(HttpContext context, string traceId) => GetTraceAsync(context, traceId, version2: false);

    public Task GetTraceV2Async(HttpContext context, string traceId) => GetTraceAsync(context, traceId, version2: true);

    public static Task EchoAsync(HttpContext context) => HttpResponses.WriteTextAsync(context, StatusCodes.Status200OK, "echo");

    private Task GetTraceAsync(HttpContext context, string traceId, bool version2)
    {
        if (!TraceId.TryParseLenient(traceId, out var id) || !id.IsValid)
        {
            return HttpResponses.WriteTextAsync(context, StatusCodes.Status400BadRequest,
                $"malformed trace id '{traceId}': expected up to 32 hexadecimal digits, not all zero");
        }

        if (!_traces.IsReadyFor(Tenancy.RequestTenant.From(context)))
        {
            return HttpResponses.WriteStorageStartingAsync(context);
        }

        if (!_traces.TryGetTrace(Tenancy.RequestTenant.From(context), id, out var trace))
        {
            return HttpResponses.WriteTextAsync(context, StatusCodes.Status404NotFound, "trace not found");
        }

        if (WantsProtobuf(context.Request))
        {
            var output = new ArrayBufferWriter<byte>(4096);
            if (version2)
            {
                var inner = new ArrayBufferWriter<byte>(4096);
                OtlpProtobufEncoder.WriteTracesData(trace, inner);
                WriteLengthDelimited(output, TraceByIdResponseTraceField, inner.WrittenSpan);
            }
            else
            {
                OtlpProtobufEncoder.WriteTracesData(trace, output);
            }

            return HttpResponses.WriteAsync(context, StatusCodes.Status200OK, ProtobufContentType, output);
        }

        return HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, writer =>
        {
            writer.WriteStartObject();
            if (version2)
            {
                writer.WriteStartObject("trace");
                writer.WritePropertyName("resourceSpans");
                OtlpJsonEncoder.WriteResourceSpansArray(trace, writer);
                writer.WriteEndObject();
            }
            else
            {
                writer.WritePropertyName("batches");
                OtlpJsonEncoder.WriteResourceSpansArray(trace, writer);
            }

            writer.WriteEndObject();
        });
    }

    private static bool WantsProtobuf(HttpRequest request)
    {
        foreach (var accept in request.Headers.Accept)
        {
            if (accept is not null && (accept.Contains(ProtobufContentType, StringComparison.OrdinalIgnoreCase)
                || accept.Contains("application/x-protobuf", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteLengthDelimited(ArrayBufferWriter<byte> output, int fieldNumber, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[16];
        var n = 0;
        ulong tag = ((ulong)fieldNumber << 3) | 2;
        n += WriteVarint(header[n..], tag);
        n += WriteVarint(header[n..], (ulong)payload.Length);
        output.Write(header[..n]);
        output.Write(payload);
    }

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }
}
