using System.Buffers;
using System.Text;
using System.Text.Json;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Json;
using Ariadne.Protocols.Otlp.Protobuf;
using Ariadne.Protocols.Tests.Otlp.Json;
using Ariadne.Protocols.Tests.Support;
using Ariadne.Protocols.Zipkin;
using Google.Protobuf;

namespace Ariadne.Protocols.Tests.Fuzzing;

/// <summary>
/// Each receiver decoder against 100,000 mutated inputs (more with ARIADNE_FUZZ_ITERATIONS): it answers
/// true or false with an error and never throws, hangs or allocates out of proportion to the input, and
/// every span it keeps is storable.
/// </summary>
public class DecoderFuzzTests
{
    private static readonly byte[][] JsonTokens =
    [
        "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), ","u8.ToArray(), ":"u8.ToArray(), "\""u8.ToArray(),
        "null"u8.ToArray(), "true"u8.ToArray(), "1e999"u8.ToArray(), "-0"u8.ToArray(), "18446744073709551616"u8.ToArray(),
        "\"\\ud800\""u8.ToArray(), "\"\\u0000\""u8.ToArray(), "\"\\uZZZZ\""u8.ToArray(), new byte[] { 0xC0, 0x80 }, new byte[] { 0xED, 0xA0, 0x80 },
        "{\"arrayValue\":{\"values\":["u8.ToArray(), "{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":"u8.ToArray(),
        "\"traceId\":\"5b8efff798038103d269b633813fc60c\""u8.ToArray(), "\"spanId\":\"eee19b7ec3c1b174\""u8.ToArray(), "\"intValue\":\"-9223372036854775809\""u8.ToArray(),
        "\"startTimeUnixNano\":\"99999999999999999999\""u8.ToArray(), "\"kind\":2147483648"u8.ToArray(), "\"id\":\"\""u8.ToArray(),
        "\"localEndpoint\":{\"serviceName\":\"s\",\"ipv6\":\"::::\"}"u8.ToArray(), "\"timestamp\":-1"u8.ToArray(), "\"duration\":1.5"u8.ToArray(),
    ];

    [Fact]
    public void OtlpProtobuf_MutatedRequests_AnswerWithoutThrowing()
    {
        var seeds = new List<byte[]> { RichRequest.Create().ToByteArray(), Array.Empty<byte>() };
        for (var i = 0; i < 8; i++)
        {
            var writer = new ArrayBufferWriter<byte>();
            OtlpProtobufEncoder.WriteTracesData(RandomBatch.Create(i, 6), writer);
            seeds.Add(writer.WrittenSpan.ToArray());
        }

        var batch = new SpanBatch();
        var summary = FuzzLoop.Run("OTLP protobuf", new Mutator(FuzzLoop.Seed(1), seeds), input =>
        {
            batch.Clear();
            var ok = OtlpProtobufDecoder.TryDecode(input, batch, out var error);
            Assert.True(ok == (error is null), error);
            return ok;
        });
        Assert.InRange(summary.Accepted, 1, summary.Inputs - 1);
    }

    [Fact]
    public void OtlpJson_MutatedRequests_AnswerWithoutThrowing()
    {
        var seeds = new List<byte[]> { "{}"u8.ToArray() };
        for (var i = 0; i < 8; i++)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                OtlpJsonEncoder.WriteTracesData(RandomBatch.Create(i, 4), writer);
            }

            seeds.Add(buffer.WrittenSpan.ToArray());
        }

        var batch = new SpanBatch();
        var summary = FuzzLoop.Run("OTLP JSON", new Mutator(FuzzLoop.Seed(2), seeds, JsonTokens), input =>
        {
            batch.Clear();
            var ok = OtlpJsonDecoder.TryDecode(input, batch, out var error);
            Assert.True(ok == (error is null), error);
            return ok;
        });
        Assert.InRange(summary.Accepted, 1, summary.Inputs - 1);
    }

    [Fact]
    public void ZipkinJson_MutatedLists_AnswerWithoutThrowing()
    {
        byte[][] seeds =
        [
            """[{"traceId":"5982fe77008310cc80f1da5e10147517","id":"bd7a977555f6b982","parentId":"90394f6bcffb5d13","kind":"CLIENT","name":"x","timestamp":1700000000000000,"duration":5,"localEndpoint":{"serviceName":"a","ipv4":"10.0.0.1","port":80},"remoteEndpoint":{"serviceName":"b","ipv6":"2001:db8::1","port":9000},"annotations":[{"timestamp":1700000000000001,"value":"ws"}],"tags":{"k":"v","error":"","otel.status_code":"ERROR","otel.scope.name":"brave","w3c.tracestate":"a=b"}}]"""u8.ToArray(),
            """[{"traceId":"80f1da5e10147517","id":"bd7a977555f6b982","kind":"SERVER","shared":true,"debug":true,"name":"y","timestamp":1,"duration":1,"localEndpoint":{"serviceName":"c"},"tags":{"span.kind":"producer","error":"boom"}},{"traceId":"1","id":"2"}]"""u8.ToArray(),
            "[]"u8.ToArray(),
        ];

        var batch = new SpanBatch();
        var summary = FuzzLoop.Run("Zipkin JSON", new Mutator(FuzzLoop.Seed(3), seeds, JsonTokens), input =>
        {
            batch.Clear();
            return DecodeZipkin(input, batch, json: true);
        });
        Assert.InRange(summary.Accepted, 1, summary.Inputs - 1);
    }

    [Fact]
    public void ZipkinProtobuf_MutatedLists_AnswerWithoutThrowing()
    {
        var endpoint = Message(Field(1, "orders"u8), Field(2, [192, 168, 1, 9]), Field(3, new byte[16]), Varint(4, 7000));
        var span = Message(
            Field(1, Convert.FromHexString("5982fe77008310cc80f1da5e10147517")), Field(2, Convert.FromHexString("90394f6bcffb5d13")),
            Field(3, Convert.FromHexString("bd7a977555f6b982")), Varint(4, 3), Field(5, "publish"u8), Fixed64(6, 1_700_000_000_000_000),
            Varint(7, 5000), Field(8, endpoint), Field(9, Message(Field(1, "kafka"u8))), Field(10, Message(Fixed64(1, 1_700_000_000_000_010), Field(2, "sent"u8))),
            Field(11, Message(Field(1, "error"u8), Field(2, "x"u8))), Varint(12, 1), Varint(13, 1));
        byte[][] seeds = [Message(Field(1, span), Field(1, span)), Message(Field(1, span)), []];

        var batch = new SpanBatch();
        var summary = FuzzLoop.Run("Zipkin protobuf", new Mutator(FuzzLoop.Seed(4), seeds), input =>
        {
            batch.Clear();
            return DecodeZipkin(input, batch, json: false);
        });
        Assert.InRange(summary.Accepted, 1, summary.Inputs);
    }

    private static bool DecodeZipkin(byte[] input, SpanBatch batch, bool json)
    {
        var translator = new ZipkinTranslator(batch);
        var ok = json ? ZipkinJsonDecoder.TryDecode(input, batch, translator, out var error) : ZipkinProtobufDecoder.TryDecode(input, batch, translator, out error);
        Assert.True(ok == (error.Length == 0), error);
        foreach (ref readonly var span in batch.Spans.Rows)
        {
            Assert.True(span.TraceId.IsValid);
            Assert.NotEqual(0UL, span.SpanId.Value);
        }

        return ok;
    }

    private static byte[] Message(params byte[][] fields) => fields.SelectMany(f => f).ToArray();

    private static byte[] Field(int number, ReadOnlySpan<byte> value) =>
        [.. VarintBytes((ulong)((number << 3) | 2)), .. VarintBytes((ulong)value.Length), .. value];

    private static byte[] Varint(int number, ulong value) => [.. VarintBytes((ulong)(number << 3)), .. VarintBytes(value)];

    private static byte[] Fixed64(int number, ulong value) => [.. VarintBytes((ulong)((number << 3) | 1)), .. BitConverter.GetBytes(value)];

    private static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }
}
