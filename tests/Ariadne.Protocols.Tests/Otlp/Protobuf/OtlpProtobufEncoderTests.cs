using System.Buffers;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Protobuf;
using Ariadne.Protocols.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;
using Google.Rpc;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace Ariadne.Protocols.Tests.Otlp.Protobuf;

public class OtlpProtobufEncoderTests
{
    private static ExportTraceServiceRequest RoundTrip(ExportTraceServiceRequest request)
    {
        var batch = new SpanBatch();
        Assert.True(OtlpProtobufDecoder.TryDecode(request.ToByteArray(), batch, out var error), error);
        var output = new ArrayBufferWriter<byte>();
        OtlpProtobufEncoder.WriteTracesData(batch, output);
        return ProtoConversion.Normalize(ExportTraceServiceRequest.Parser.ParseFrom(output.WrittenSpan));
    }

    [Fact]
    public void WriteTracesData_RichRequest_GoogleProtobufParsesTheSameMessage()
    {
        var request = RichRequest.Create();
        Assert.Equal(ProtoConversion.Normalize(request), RoundTrip(request));
    }

    [Fact]
    public void WriteTracesData_GeneratedRequests_RoundTripThroughGoogleProtobuf()
    {
        Prop.ForAll(OtlpGenerators.Request.ToArbitrary(), request =>
        {
            // Resources and scopes without spans carry nothing a trace needs and are not written.
            var expected = ProtoConversion.Normalize(request);
            foreach (var rs in expected.ResourceSpans)
            {
                var empty = rs.ScopeSpans.Where(s => s.Spans.Count == 0).ToList();
                foreach (var ss in empty)
                {
                    rs.ScopeSpans.Remove(ss);
                }
            }

            foreach (var rs in expected.ResourceSpans.Where(r => r.ScopeSpans.Count == 0).ToList())
            {
                expected.ResourceSpans.Remove(rs);
            }

            Assert.Equal(expected, RoundTrip(request));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void WriteTracesData_SpansOfOneScopeInterleaved_AreGroupedKeepingTheirOrder()
    {
        var batch = new SpanBatch();
        var resource = batch.Resources.Add(default);
        var scopeA = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = batch.AddString("a") });
        var scopeB = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = batch.AddString("b") });
        for (var i = 1; i <= 4; i++)
        {
            batch.Spans.Add(new SpanRow { TraceId = new TraceId(0, 1), SpanId = new SpanId((ulong)i), ScopeIndex = i % 2 == 0 ? scopeB : scopeA });
        }

        var output = new ArrayBufferWriter<byte>();
        OtlpProtobufEncoder.WriteTracesData(batch, output);
        var parsed = ExportTraceServiceRequest.Parser.ParseFrom(output.WrittenSpan);
        var scopes = Assert.Single(parsed.ResourceSpans).ScopeSpans;
        Assert.Equal(["a", "b"], scopes.Select(s => s.Scope.Name));
        Assert.Equal([1UL, 3UL], scopes[0].Spans.Select(s => SpanId.FromBytes(s.SpanId.Span).Value));
        Assert.Equal([2UL, 4UL], scopes[1].Spans.Select(s => SpanId.FromBytes(s.SpanId.Span).Value));
    }

    [Fact]
    public void WriteExportResponse_PartialSuccess_ParsesAsExportTraceServiceResponse()
    {
        var output = new ArrayBufferWriter<byte>();
        OtlpProtobufEncoder.WriteExportResponse(output, 3, "3 span(s) rejected");
        var response = ExportTraceServiceResponse.Parser.ParseFrom(output.WrittenSpan);
        Assert.Equal(3, response.PartialSuccess.RejectedSpans);
        Assert.Equal("3 span(s) rejected", response.PartialSuccess.ErrorMessage);

        var empty = new ArrayBufferWriter<byte>();
        OtlpProtobufEncoder.WriteExportResponse(empty, 0, null);
        Assert.Equal(0, empty.WrittenCount);
    }

    [Fact]
    public void WriteStatus_ParsesAsGoogleRpcStatus()
    {
        var output = new ArrayBufferWriter<byte>();
        OtlpProtobufEncoder.WriteStatus(output, 3, "cannot decode: truncated varint at byte 7");
        var status = Status.Parser.ParseFrom(output.WrittenSpan);
        Assert.Equal(3, status.Code);
        Assert.Equal("cannot decode: truncated varint at byte 7", status.Message);
    }
}
