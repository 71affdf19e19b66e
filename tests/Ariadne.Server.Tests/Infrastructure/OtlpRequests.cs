using System.Globalization;
using System.Text;

namespace Ariadne.Server.Tests.Infrastructure;

/// <summary>A span as tests describe it; ids in hex so wrong lengths can be expressed.</summary>
internal sealed record TestSpan(string TraceId, string SpanId, string Name, ulong StartNanos, ulong EndNanos, string ParentSpanId = "");

/// <summary>Builds ExportTraceServiceRequest bodies in protobuf and JSON, independently of Ariadne's codecs.</summary>
internal static class OtlpRequests
{
    public static byte[] Protobuf(string service, IEnumerable<TestSpan> spans)
    {
        var scopeSpans = new ProtoWriter().Message(1, new ProtoWriter().String(1, "test-scope"));
        foreach (var span in spans)
        {
            var s = new ProtoWriter()
                .Bytes(1, Convert.FromHexString(span.TraceId))
                .Bytes(2, Convert.FromHexString(span.SpanId));
            if (span.ParentSpanId.Length > 0)
            {
                s.Bytes(4, Convert.FromHexString(span.ParentSpanId));
            }

            s.String(5, span.Name)
                .Varint(6, 2)
                .Fixed64(7, span.StartNanos)
                .Fixed64(8, span.EndNanos)
                .Message(9, new ProtoWriter().String(1, "test.index").Message(2, new ProtoWriter().Varint(3, 7)));
            scopeSpans.Message(2, s);
        }

        var resource = new ProtoWriter().Message(1, new ProtoWriter().String(1, "service.name").Message(2, new ProtoWriter().String(1, service)));
        var resourceSpans = new ProtoWriter().Message(1, resource).Message(2, scopeSpans);
        return new ProtoWriter().Message(1, resourceSpans).ToArray();
    }

    public static string Json(string service, IEnumerable<TestSpan> spans)
    {
        var builder = new StringBuilder();
        builder.Append("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"")
            .Append(service).Append("\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":\"test-scope\"},\"spans\":[");
        var first = true;
        foreach (var span in spans)
        {
            if (!first)
            {
                builder.Append(',');
            }

            first = false;
            builder.Append(CultureInfo.InvariantCulture,
                $"{{\"traceId\":\"{span.TraceId}\",\"spanId\":\"{span.SpanId}\",\"parentSpanId\":\"{span.ParentSpanId}\",\"name\":\"{span.Name}\",\"kind\":2,")
                .Append(CultureInfo.InvariantCulture, $"\"startTimeUnixNano\":\"{span.StartNanos}\",\"endTimeUnixNano\":\"{span.EndNanos}\",")
                .Append("\"attributes\":[{\"key\":\"test.index\",\"value\":{\"intValue\":\"7\"}}]}");
        }

        builder.Append("]}]}]}");
        return builder.ToString();
    }

    public static string RandomTraceId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

    public static string RandomSpanId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 8));

    public static List<TestSpan> Trace(int spanCount, string? traceId = null)
    {
        traceId ??= RandomTraceId();
        var spans = new List<TestSpan>(spanCount);
        // Recent spans: a server applies retention by span time, and would drop years-old test data.
        var start = (ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        var root = RandomSpanId();
        spans.Add(new TestSpan(traceId, root, "root", start, start + 5_000_000));
        for (var i = 1; i < spanCount; i++)
        {
            spans.Add(new TestSpan(traceId, RandomSpanId(), $"child {i}", start + (ulong)i * 1000, start + (ulong)i * 1000 + 500, root));
        }

        return spans;
    }
}
