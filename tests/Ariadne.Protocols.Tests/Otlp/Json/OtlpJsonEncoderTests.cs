using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Json;
using FsCheck;
using FsCheck.Fluent;

namespace Ariadne.Protocols.Tests.Otlp.Json;

public class OtlpJsonEncoderTests
{
    private static string Write(Action<Utf8JsonWriter> write)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static SpanBatch RoundTrip(SpanBatch batch)
    {
        var json = Write(writer => OtlpJsonEncoder.WriteTracesData(batch, writer));
        var decoded = new SpanBatch();
        Assert.True(OtlpJsonDecoder.TryDecode(Encoding.UTF8.GetBytes(json), decoded, out var error), error);
        return decoded;
    }

    private static SpanBatch MinimalBatch(int scopes)
    {
        var batch = new SpanBatch();
        var resource = batch.Resources.Add(default);
        for (var s = 0; s < scopes; s++)
        {
            batch.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = batch.AddString("scope" + s) });
        }

        return batch;
    }

    [Fact]
    public void WriteTracesData_DefaultFields_AreLeftOut()
    {
        var batch = new SpanBatch();
        batch.Resources.Add(default);
        batch.Scopes.Add(default);
        batch.Spans.Add(new SpanRow { TraceId = new TraceId(1, 2), SpanId = new SpanId(3) });
        Assert.Equal(
            "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"00000000000000010000000000000002\",\"spanId\":\"0000000000000003\"}]}]}]}",
            Write(writer => OtlpJsonEncoder.WriteTracesData(batch, writer)));
    }

    [Fact]
    public void WriteTracesData_EveryField_HasTheOtlpJsonForm()
    {
        var batch = new SpanBatch();
        var resourceAttributes = batch.Attributes.AddRange([new KeyValue(batch.AddString("service.name"), AnyValue.FromString(batch.AddString("svc")))]);
        batch.Resources.Add(new ResourceRow { Attributes = new RowRange(resourceAttributes, 1), DroppedAttributesCount = 1, SchemaUrl = batch.AddString("r") });
        batch.Scopes.Add(new ScopeRow { Name = batch.AddString("lib"), Version = batch.AddString("1.0"), SchemaUrl = batch.AddString("s") });
        var elements = batch.ArrayValues.AddRange([AnyValue.FromBool(false), AnyValue.FromDouble(double.NaN)]);
        var entries = batch.NestedAttributes.AddRange([new KeyValue(batch.AddString("n"), AnyValue.FromInt(0))]);
        var spanAttributes = batch.Attributes.AddRange(
        [
            new KeyValue(batch.AddString("i"), AnyValue.FromInt(long.MinValue)),
            new KeyValue(batch.AddString("d"), AnyValue.FromDouble(-1.5)),
            new KeyValue(batch.AddString("b"), AnyValue.FromBytes(batch.AddString([1, 2, 255]))),
            new KeyValue(batch.AddString("a"), AnyValue.FromArray(new RowRange(elements, 2))),
            new KeyValue(batch.AddString("m"), AnyValue.FromKeyValueList(new RowRange(entries, 1))),
            new KeyValue(batch.AddString("e"), AnyValue.Empty),
        ]);
        var events = batch.Events.Add(new EventRow { TimeUnixNano = 5, Name = batch.AddString("ev") });
        var links = batch.Links.Add(new LinkRow { TraceId = new TraceId(0xABCDEF, 1), SpanId = new SpanId(0xFEDCBA), Flags = 1 });
        batch.Spans.Add(new SpanRow
        {
            TraceId = new TraceId(0x5B8EFFF798038103, 0xD269B633813FC60C),
            SpanId = new SpanId(0xEEE19B7EC3C1B174),
            ParentSpanId = new SpanId(0xEEE19B7EC3C1B173),
            TraceState = batch.AddString("x=1"),
            Name = batch.AddString("op"),
            Kind = SpanKind.Server,
            Flags = 257,
            StartTimeUnixNano = 1544712660000000000,
            EndTimeUnixNano = ulong.MaxValue,
            Attributes = new RowRange(spanAttributes, 6),
            Events = new RowRange(events, 1),
            Links = new RowRange(links, 1),
            DroppedAttributesCount = 2,
            DroppedEventsCount = 3,
            DroppedLinksCount = 4,
            StatusCode = StatusCode.Error,
            StatusMessage = batch.AddString("bad"),
        });
        Assert.Equal(
            """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}],"droppedAttributesCount":1},
            "scopeSpans":[{"scope":{"name":"lib","version":"1.0"},"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
            "traceState":"x=1","parentSpanId":"eee19b7ec3c1b173","flags":257,"name":"op","kind":2,"startTimeUnixNano":"1544712660000000000",
            "endTimeUnixNano":"18446744073709551615","attributes":[{"key":"i","value":{"intValue":"-9223372036854775808"}},{"key":"d","value":{"doubleValue":-1.5}},
            {"key":"b","value":{"bytesValue":"AQL/"}},{"key":"a","value":{"arrayValue":{"values":[{"boolValue":false},{"doubleValue":"NaN"}]}}},
            {"key":"m","value":{"kvlistValue":{"values":[{"key":"n","value":{"intValue":"0"}}]}}},{"key":"e","value":{}}],"droppedAttributesCount":2,
            "events":[{"timeUnixNano":"5","name":"ev"}],"droppedEventsCount":3,"links":[{"traceId":"0000000000abcdef0000000000000001","spanId":"0000000000fedcba","flags":1}],
            "droppedLinksCount":4,"status":{"message":"bad","code":2}}],"schemaUrl":"s"}],"schemaUrl":"r"}]}
            """.ReplaceLineEndings(string.Empty),
            Write(writer => OtlpJsonEncoder.WriteTracesData(batch, writer)));
    }

    [Fact]
    public void WriteResourceSpansArray_ScopesInterleavedInTheBatch_GroupsSpansKeepingTheirOrder()
    {
        var batch = MinimalBatch(scopes: 2);
        var otherResource = batch.Resources.Add(new ResourceRow { SchemaUrl = batch.AddString("other") });
        batch.Scopes.Add(new ScopeRow { ResourceIndex = otherResource, Name = batch.AddString("scope2") });
        int[] scopeOfSpan = [1, 2, 0, 1, 2, 0, 1];
        for (var i = 0; i < scopeOfSpan.Length; i++)
        {
            batch.Spans.Add(new SpanRow { TraceId = new TraceId(0, 1), SpanId = new SpanId((ulong)i + 1), ScopeIndex = scopeOfSpan[i], Name = batch.AddString("s" + i) });
        }

        using var document = JsonDocument.Parse(Write(writer => OtlpJsonEncoder.WriteResourceSpansArray(batch, writer)));
        var groups = new List<string>();
        foreach (var resourceSpans in document.RootElement.EnumerateArray())
        {
            foreach (var scopeSpans in resourceSpans.GetProperty("scopeSpans").EnumerateArray())
            {
                var names = new List<string>();
                foreach (var span in scopeSpans.GetProperty("spans").EnumerateArray())
                {
                    names.Add(span.GetProperty("name").GetString()!);
                }

                groups.Add(scopeSpans.GetProperty("scope").GetProperty("name").GetString() + ":" + string.Join(",", names));
            }

            groups.Add("|");
        }

        Assert.Equal(["scope1:s0,s3,s6", "scope0:s2,s5", "|", "scope2:s1,s4", "|"], groups);
    }

    [Fact]
    public void WriteExportResponse_NothingRejected_IsAnEmptyObject()
    {
        Assert.Equal("{}", Write(writer => OtlpJsonEncoder.WriteExportResponse(writer, 0, null)));
        Assert.Equal("{}", Write(writer => OtlpJsonEncoder.WriteExportResponse(writer, 0, string.Empty)));
    }

    [Fact]
    public void WriteExportResponse_RejectionsOrMessage_WritePartialSuccess()
    {
        Assert.Equal("{\"partialSuccess\":{\"rejectedSpans\":\"9000000000\",\"errorMessage\":\"too \\u0022old\\u0022\"}}", Write(writer => OtlpJsonEncoder.WriteExportResponse(writer, 9_000_000_000, "too \"old\"")));
        Assert.Equal("{\"partialSuccess\":{\"errorMessage\":\"slow down\"}}", Write(writer => OtlpJsonEncoder.WriteExportResponse(writer, 0, "slow down")));
        Assert.Equal("{\"partialSuccess\":{\"rejectedSpans\":\"3\"}}", Write(writer => OtlpJsonEncoder.WriteExportResponse(writer, 3, null)));
    }

    [Fact]
    public void WriteStatus_WritesCodeAndMessage()
    {
        Assert.Equal("{\"code\":3,\"message\":\"body is not JSON\"}", Write(writer => OtlpJsonEncoder.WriteStatus(writer, 3, "body is not JSON")));
    }

    [Fact]
    public void Encoder_RichBatch_RoundTripsThroughTheDecoder()
    {
        var batch = RandomBatch.Create(seed: 11, size: 300);
        var decoded = RoundTrip(batch);
        Assert.Equal(batch.SpanCount, decoded.SpanCount);
        Assert.Equal(BatchDump.Of(batch), BatchDump.Of(decoded));
    }

    [Fact]
    public void Encoder_RandomBatches_RoundTripThroughTheDecoderUnchanged()
    {
        Prop.ForAll(
            Gen.Choose(0, int.MaxValue).Zip(Gen.Choose(1, 60)).ToArbitrary(),
            input =>
            {
                var batch = RandomBatch.Create(input.Item1, input.Item2);
                var once = RoundTrip(batch);
                Assert.Equal(BatchDump.Of(batch), BatchDump.Of(once));
                Assert.Equal(
                    Write(writer => OtlpJsonEncoder.WriteTracesData(batch, writer)),
                    Write(writer => OtlpJsonEncoder.WriteTracesData(once, writer)));
            }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void TryDecode_ThousandsOfMutatedDocuments_NeverThrowNorLeaveRowsBehind()
    {
        var valid = Encoding.UTF8.GetBytes(Write(writer => OtlpJsonEncoder.WriteTracesData(RandomBatch.Create(seed: 5, size: 12), writer)));
        byte[] noise = [.. "{}[]\":,0a-.e\\u/ nNtf1"u8, 0xFF, 0xC3, 0x80, 0x00];
        var random = new Random(1234);
        var batch = new SpanBatch();
        var accepted = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 20_000; i++)
        {
            var input = new List<byte>(valid);
            for (var m = random.Next(1, 5); m > 0; m--)
            {
                var at = random.Next(input.Count);
                switch (random.Next(3))
                {
                    case 0:
                        input[at] = noise[random.Next(noise.Length)];
                        break;
                    case 1:
                        input.Insert(at, noise[random.Next(noise.Length)]);
                        break;
                    default:
                        input.RemoveAt(at);
                        break;
                }
            }

            var length = random.Next(4) == 0 ? random.Next(input.Count) : input.Count;
            batch.Clear();
            if (OtlpJsonDecoder.TryDecode(input.ToArray().AsSpan(0, length), batch, out var error))
            {
                accepted++;
                Write(writer => OtlpJsonEncoder.WriteTracesData(batch, writer));
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error));
                Assert.Equal(0, batch.Heap.Count + batch.Spans.Count + batch.Resources.Count + batch.Attributes.Count + batch.ArrayValues.Count);
            }
        }

        Assert.InRange(accepted, 1, 19_999);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }
}
