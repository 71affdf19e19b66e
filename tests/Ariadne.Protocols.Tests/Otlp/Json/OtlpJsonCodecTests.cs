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
    private const string Noise = "{}[]\":,0a\\ \u00ff";

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
    public void TryDecode_SpecExample_ReadsEveryField()
    {
        var batch = Decode("""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"my.service"}}]},
              "scopeSpans":[{"scope":{"name":"my.library","version":"1.0.0","attributes":[{"key":"my.scope.attribute","value":{"stringValue":"some scope attribute"}}]},
                "spans":[{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","parentSpanId":"EEE19B7EC3C1B173",
                  "name":"I'm a server span","startTimeUnixNano":"1544712660000000000","endTimeUnixNano":1544712661000000000,"kind":2,
                  "attributes":[{"key":"my.span.attr","value":{"stringValue":"some value"}},{"key":"n","value":{"intValue":42}},
                                {"key":"d","value":{"doubleValue":"Infinity"}},{"key":"b","value":{"bytesValue":"AQID"}}],
                  "status":{"code":"STATUS_CODE_ERROR","message":"bad"}}]}]}]}
            """);
        var span = batch.Spans[0];
        Assert.Equal("5b8efff798038103d269b633813fc60c", span.TraceId.ToString());
        Assert.Equal("eee19b7ec3c1b173", span.ParentSpanId.ToString());
        Assert.Equal(1544712661000000000UL, span.EndTimeUnixNano);
        Assert.Equal(SpanKind.Server, span.Kind);
        Assert.Equal(StatusCode.Error, span.StatusCode);
        var attributes = batch.AttributesOf(span.Attributes);
        Assert.Equal(42, attributes[1].Value.IntValue);
        Assert.Equal(double.PositiveInfinity, attributes[2].Value.DoubleValue);
        Assert.Equal(new byte[] { 1, 2, 3 }, batch.Utf8(attributes[3].Value.StringRef).ToArray());
        Assert.Equal("my.service", batch.GetString(batch.ServiceNameOf(span)));
        Assert.Equal("some scope attribute", batch.GetString(batch.AttributesOf(batch.ScopeOf(span).Attributes)[0].Value.StringRef));
    }

    [Fact]
    public void TryDecode_SnakeCaseKeysUnknownFieldsAndAnyOrder_KeepRangesPerOwner()
    {
        var batch = Decode("""
            {"unknown":{"deep":[1,{"x":[]}]},"resource_spans":[{"scope_spans":[{"spans":[{
              "events":[{"name":"e1","attributes":[{"key":"ea","value":{"string_value":"ev"}}],"time_unix_nano":"5"}],
              "attributes":[{"key":"s1","value":{"int_value":"1"}}],
              "links":[{"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","attributes":[{"key":"la","value":{"bool_value":true}}]}],
              "trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"00f067aa0ba902b7","name":"x",
              "future_field":{"a":1},
              "attributes_again_unknown":null,
              "start_time_unix_nano":"1","end_time_unix_nano":"2"}]}],
              "resource":{"attributes":[{"key":"service.name","value":{"string_value":"late resource"}}]}}]}
            """);
        var span = batch.Spans[0];
        Assert.Equal(SpanDefect.None, span.Defect);
        Assert.Equal("s1", batch.GetString(batch.AttributesOf(span.Attributes)[0].Key));
        var e = batch.Events[span.Events.Start];
        Assert.Equal("ea", batch.GetString(batch.AttributesOf(e.Attributes)[0].Key));
        var link = batch.Links[span.Links.Start];
        Assert.True(batch.AttributesOf(link.Attributes)[0].Value.BoolValue);
        Assert.Equal("late resource", batch.GetString(batch.ServiceNameOf(span)));
    }

    [Fact]
    public void TryDecode_BadIds_MarkOnlyThoseSpans()
    {
        var batch = Decode("""
            {"resourceSpans":[{"scopeSpans":[{"spans":[
              {"traceId":"00000000000000000000000000000000","spanId":"00f067aa0ba902b7","startTimeUnixNano":"1","endTimeUnixNano":"2"},
              {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"zzzzzzzzzzzzzzzz","startTimeUnixNano":"1","endTimeUnixNano":"2"},
              {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b7","parentSpanId":"abc","startTimeUnixNano":"1","endTimeUnixNano":"2"},
              {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b8","startTimeUnixNano":"3","endTimeUnixNano":"2"},
              {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b9","parentSpanId":"","startTimeUnixNano":"1","endTimeUnixNano":"2"}
            ]}]}]}
            """);
        Assert.Equal(
            [SpanDefect.InvalidTraceId, SpanDefect.InvalidSpanId, SpanDefect.InvalidParentSpanId, SpanDefect.EndBeforeStart, SpanDefect.None],
            batch.Spans.Rows.ToArray().Select(s => s.Defect));
    }

    [Theory]
    [InlineData("{\"resourceSpans\":[{")]
    [InlineData("{\"resourceSpans\":{}}")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":5}]}]}]}")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":\"soon\"}]}]}]}")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"kind\":\"SPAN_KIND_NOPE\"}]}]}]}")]
    [InlineData("[]")]
    [InlineData("")]
    [InlineData("{} {}")]
    public void TryDecode_InvalidJsonOrWrongTypes_FailsWithAMessage(string json)
    {
        Assert.False(OtlpJsonDecoder.TryDecode(Encoding.UTF8.GetBytes(json), new SpanBatch(), out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void TryDecode_MutatedDocuments_NeverThrow()
    {
        var valid = Encoding.UTF8.GetBytes(OtlpJsonOf(RichRequest.Create()));
        var random = new Random(7);
        var batch = new SpanBatch();
        for (var i = 0; i < 5_000; i++)
        {
            var input = (byte[])valid.Clone();
            for (var m = random.Next(1, 6); m > 0; m--)
            {
                input[random.Next(input.Length)] = (byte)Noise[random.Next(Noise.Length)];
            }

            var length = random.Next(2) == 0 ? input.Length : random.Next(input.Length);
            batch.Clear();
            var ok = OtlpJsonDecoder.TryDecode(input.AsSpan(0, length), batch, out var error);
            Assert.True(ok || error is not null);
        }
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
