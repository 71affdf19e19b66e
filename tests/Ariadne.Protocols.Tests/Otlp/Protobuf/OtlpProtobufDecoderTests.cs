using Ariadne.Model;
using Ariadne.Protocols.Otlp.Protobuf;
using Ariadne.Protocols.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace Ariadne.Protocols.Tests.Otlp.Protobuf;

public class OtlpProtobufDecoderTests
{
    private static SpanBatch Decode(byte[] bytes)
    {
        var batch = new SpanBatch();
        Assert.True(OtlpProtobufDecoder.TryDecode(bytes, batch, out var error), error);
        return batch;
    }

    [Fact]
    public void TryDecode_EveryFieldKind_MatchesGoogleProtobuf()
    {
        var request = RichRequest.Create();
        var batch = Decode(request.ToByteArray());
        Assert.Equal(12, batch.SpanCount);
        Assert.Equal(ProtoConversion.Normalize(request), ProtoConversion.ToProto(batch));
        Assert.All(batch.Spans.Rows.ToArray(), s => Assert.Equal(SpanDefect.None, s.Defect));
    }

    [Fact]
    public void TryDecode_GeneratedRequests_MatchGoogleProtobuf()
    {
        Prop.ForAll(OtlpGenerators.Request.ToArbitrary(), request =>
        {
            var batch = Decode(request.ToByteArray());
            Assert.Equal(ProtoConversion.Normalize(request), ProtoConversion.ToProto(batch));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void TryDecode_UnknownFieldsOfEveryWireType_AreSkipped()
    {
        var request = RichRequest.Create();
        var bytes = UnknownFieldWriter.Wrap(request.ToByteArray());
        var batch = Decode(bytes);
        Assert.Equal(ProtoConversion.Normalize(request), ProtoConversion.ToProto(batch));
    }

    [Fact]
    public void TryDecode_BadIdsAndTimes_MarkOnlyThoseSpans()
    {
        var request = RichRequest.Create();
        var spans = request.ResourceSpans[0].ScopeSpans[0].Spans;
        spans[0].TraceId = ByteString.CopyFrom(new byte[16]);
        spans[1].SpanId = ByteString.CopyFrom(1, 2, 3);
        spans[2].ParentSpanId = ByteString.CopyFrom(1, 2, 3, 4, 5, 6, 7, 8, 9);
        var second = request.ResourceSpans[0].ScopeSpans[1].Spans;
        second[0].EndTimeUnixNano = second[0].StartTimeUnixNano - 1;
        second[1].Links[0].SpanId = ByteString.CopyFrom(1);
        second[2].TraceId = ByteString.CopyFrom(new byte[15]);

        var batch = Decode(request.ToByteArray());
        var defects = batch.Spans.Rows.ToArray().Select(s => s.Defect).ToArray();
        Assert.Equal(
            [SpanDefect.InvalidTraceId, SpanDefect.InvalidSpanId, SpanDefect.InvalidParentSpanId,
             SpanDefect.EndBeforeStart, SpanDefect.InvalidLink, SpanDefect.InvalidTraceId],
            defects[..6]);
        Assert.All(defects[6..], d => Assert.Equal(SpanDefect.None, d));
        Assert.Equal(6, batch.RemoveDefectiveSpans());
        Assert.Equal(6, batch.SpanCount);
    }

    [Fact]
    public void TryDecode_EveryTruncation_FailsCleanlyWithOffset()
    {
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(RichRequest.Create().ResourceSpans[0]);
        var bytes = request.ToByteArray();
        var batch = new SpanBatch();
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            batch.Clear();
            Assert.False(OtlpProtobufDecoder.TryDecode(bytes.AsSpan(0, cut), batch, out var error));
            Assert.Contains("at byte", error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TryDecode_RandomAndMutatedBytes_NeverThrows()
    {
        var random = new Random(20261122);
        var valid = RichRequest.Create().ToByteArray();
        var batch = new SpanBatch();
        for (var i = 0; i < 20_000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 512)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])valid.Clone();
                for (var m = random.Next(1, 8); m > 0; m--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }
            }

            batch.Clear();
            var ok = OtlpProtobufDecoder.TryDecode(input, batch, out var error);
            Assert.True(ok || error is not null);
        }
    }

    [Fact]
    public void TryDecode_HugeClaimedLength_FailsWithoutAllocatingIt()
    {
        // resource_spans with a length prefix of 2^62 and no payload.
        byte[] bytes = [0x0A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40];
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.False(OtlpProtobufDecoder.TryDecode(bytes, new SpanBatch(), out var error));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024);
        Assert.Contains("past the end", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_ValuesNestedTooDeep_FailsInsteadOfRecursing()
    {
        var value = new OpenTelemetry.Proto.Common.V1.AnyValue { IntValue = 1 };
        for (var i = 0; i < 5000; i++)
        {
            var array = new OpenTelemetry.Proto.Common.V1.ArrayValue();
            array.Values.Add(value);
            value = new OpenTelemetry.Proto.Common.V1.AnyValue { ArrayValue = array };
        }

        var request = RichRequest.Create();
        request.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes.Add(new OpenTelemetry.Proto.Common.V1.KeyValue { Key = "deep", Value = value });
        var bytes = request.ToByteArray();
        Assert.False(OtlpProtobufDecoder.TryDecode(bytes, new SpanBatch(), out var error));
        Assert.Contains("nested deeper", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_InvalidUtf8_IsReplacedNotRejected()
    {
        var span = new Span
        {
            TraceId = ByteString.CopyFrom(Convert.FromHexString("5b8efff798038103d269b633813fc60c")),
            SpanId = ByteString.CopyFrom(Convert.FromHexString("eee19b7ec3c1b174")),
            StartTimeUnixNano = 1,
            EndTimeUnixNano = 2,
        };
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(new ResourceSpans { ScopeSpans = { new ScopeSpans { Spans = { span } } } });

        // A name field (5) holding the bytes FF FE, which are not UTF-8, appended to the span.
        var batch = Decode(WithInvalidName(request));
        Assert.Equal("\uFFFD\uFFFD", batch.GetString(batch.Spans[0].Name));
    }

    [Fact]
    public void TryDecode_EmptyRequest_SucceedsWithNoSpans()
    {
        var batch = Decode([]);
        Assert.Equal(0, batch.SpanCount);
    }

    private static byte[] WithInvalidName(ExportTraceServiceRequest request)
    {
        var span = request.ResourceSpans[0].ScopeSpans[0].Spans[0].ToByteArray().Concat(new byte[] { 0x2A, 0x02, 0xFF, 0xFE }).ToArray();
        var scopeSpans = Field(2, span);
        var resourceSpans = Field(2, scopeSpans);
        return Field(1, resourceSpans);
    }

    private static byte[] Field(int number, byte[] payload)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(payload));
        output.Flush();
        return stream.ToArray();
    }
}
