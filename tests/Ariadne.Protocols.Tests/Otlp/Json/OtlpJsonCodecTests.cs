using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Json;
using Ariadne.Protocols.Otlp.Protobuf;
using Ariadne.Protocols.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace Ariadne.Protocols.Tests.Otlp.Json;

public class OtlpJsonCodecTests
{
    private static readonly JsonFormatter GoogleFormatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    private static SpanBatch Decode(string json)
    {
        var batch = new SpanBatch();
        Assert.True(OtlpJsonDecoder.TryDecode(Encoding.UTF8.GetBytes(json), batch, out var error), error);
        return batch;
    }

    /// <summary>
    /// Google.Protobuf's JSON, with the id fields rewritten from base64 to hex as OTLP JSON requires.
    /// Everything else (int64 as strings, enum names, NaN as a string, bytes as base64) is proto3 JSON as is.
    /// </summary>
    private static string OtlpJsonOf(ExportTraceServiceRequest request)
    {
        var node = JsonNode.Parse(GoogleFormatter.Format(request))!;
        RewriteIds(node);
        return node.ToJsonString();
    }

    private static void RewriteIds(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in new[] { "traceId", "spanId", "parentSpanId" })
                {
                    if (obj[name] is JsonValue value)
                    {
                        obj[name] = Convert.ToHexString(Convert.FromBase64String(value.GetValue<string>()));
                    }
                }

                foreach (var (_, child) in obj.ToList())
                {
                    RewriteIds(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    RewriteIds(child);
                }

                break;
        }
    }

    [Fact]
    public void TryDecode_RichRequestAsProto3Json_MatchesTheProtobufMessage()
    {
        var request = RichRequest.Create();
        var batch = Decode(OtlpJsonOf(request));
        Assert.Equal(ProtoConversion.Normalize(request), ProtoConversion.ToProto(batch));
    }

    [Fact]
    public void TryDecode_GeneratedRequestsAsProto3Json_MatchTheProtobufMessages()
    {
        Prop.ForAll(OtlpGenerators.Request.ToArbitrary(), request =>
        {
            var batch = Decode(OtlpJsonOf(request));
            Assert.Equal(ProtoConversion.Normalize(request), ProtoConversion.ToProto(batch));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Encoder_GeneratedBatches_RoundTripThroughTheDecoder()
    {
        Prop.ForAll(OtlpGenerators.Request.ToArbitrary(), request =>
        {
            var original = new SpanBatch();
            Assert.True(OtlpProtobufDecoder.TryDecode(request.ToByteArray(), original, out _));
            var output = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(output))
            {
                OtlpJsonEncoder.WriteTracesData(original, writer);
            }

            var decoded = new SpanBatch();
            Assert.True(OtlpJsonDecoder.TryDecode(output.WrittenSpan, decoded, out var error), error);
            Assert.Equal(Grouped(original), Grouped(decoded));
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>The batch as an encoder sees it: resources and scopes without spans are not written.</summary>
    private static ExportTraceServiceRequest Grouped(SpanBatch batch)
    {
        var output = new ArrayBufferWriter<byte>();
        OtlpProtobufEncoder.WriteTracesData(batch, output);
        return ExportTraceServiceRequest.Parser.ParseFrom(output.WrittenSpan);
    }

    [Fact]
    public void WriteExportResponseAndStatus_HaveTheOtlpShapes()
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            OtlpJsonEncoder.WriteExportResponse(writer, 2, "2 span(s) rejected");
        }

        Assert.Equal("{\"partialSuccess\":{\"rejectedSpans\":\"2\",\"errorMessage\":\"2 span(s) rejected\"}}", Encoding.UTF8.GetString(output.WrittenSpan));
        var parsed = JsonParser.Default.Parse<ExportTraceServiceResponse>(Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(2, parsed.PartialSuccess.RejectedSpans);

        output.Clear();
        using (var writer = new Utf8JsonWriter(output))
        {
            OtlpJsonEncoder.WriteStatus(writer, 3, "bad");
        }

        Assert.Equal(3, JsonParser.Default.Parse<Google.Rpc.Status>(Encoding.UTF8.GetString(output.WrittenSpan)).Code);
    }
}
