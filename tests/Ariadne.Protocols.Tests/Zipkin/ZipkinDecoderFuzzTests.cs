using System.Text;
using Ariadne.Model;
using Ariadne.Protocols.Zipkin;
using FsCheck;
using FsCheck.Fluent;

namespace Ariadne.Protocols.Tests.Zipkin;

/// <summary>Whatever arrives, the Zipkin decoders answer true or false; they never throw, and every span they keep is valid.</summary>
public class ZipkinDecoderFuzzTests
{
    private const string Valid = """[{"traceId":"5982fe77008310cc80f1da5e10147517","id":"bd7a977555f6b982","parentId":"90394f6bcffb5d13","kind":"CLIENT","name":"x","timestamp":1700000000000000,"duration":5,"localEndpoint":{"serviceName":"a","ipv4":"10.0.0.1","port":80},"remoteEndpoint":{"serviceName":"b"},"annotations":[{"timestamp":1700000000000001,"value":"ws"}],"tags":{"k":"v","error":""}}]""";

    [Fact]
    public void Json_MutatedBodies_NeverThrow()
    {
        var bytes = Encoding.UTF8.GetBytes(Valid);
        Prop.ForAll(Gen.ListOf(Gen.Zip(Gen.Choose(0, bytes.Length - 1), Gen.Choose(0, 255))).Resize(6).ToArbitrary(), edits =>
        {
            var body = (byte[])bytes.Clone();
            foreach (var (at, value) in edits)
            {
                body[at] = (byte)value;
            }

            AssertDecodes(body, json: true);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    [Fact]
    public void Protobuf_RandomBytes_NeverThrow()
    {
        Prop.ForAll(Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>()).ToArbitrary(), body => AssertDecodes(body, json: false))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    [Fact]
    public void Json_ValidSpan_Decodes()
    {
        var batch = new SpanBatch();
        var translator = new ZipkinTranslator(batch);
        Assert.True(ZipkinJsonDecoder.TryDecode(Encoding.UTF8.GetBytes(Valid), batch, translator, out var error), error);
        Assert.Equal(1, batch.SpanCount);
        Assert.Equal(0, translator.Rejected);
        Assert.Equal(StatusCode.Error, batch.Spans[0].StatusCode);
        Assert.Equal(SpanKind.Client, batch.Spans[0].Kind);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("tags")]
    public void Json_LoneSurrogateEscape_IsRefusedWithTheReason(string field)
    {
        var value = field == "tags" ? "{\"k\":\"\\ud800\"}" : "\"\\ud800\"";
        var json = $$"""[{"traceId":"5982fe77008310cc80f1da5e10147517","id":"bd7a977555f6b982","localEndpoint":{"serviceName":"a"},"{{field}}":{{value}}}]""";
        var batch = new SpanBatch();
        Assert.False(ZipkinJsonDecoder.TryDecode(Encoding.UTF8.GetBytes(json), batch, new ZipkinTranslator(batch), out var error));
        Assert.Contains("invalid JSON string", error, StringComparison.Ordinal);
    }

    private static void AssertDecodes(byte[] body, bool json)
    {
        var batch = new SpanBatch();
        var translator = new ZipkinTranslator(batch);
        _ = json ? ZipkinJsonDecoder.TryDecode(body, batch, translator, out _) : ZipkinProtobufDecoder.TryDecode(body, batch, translator, out _);
        foreach (ref readonly var span in batch.Spans.Rows)
        {
            Assert.True(span.TraceId.IsValid);
            Assert.NotEqual(0UL, span.SpanId.Value);
        }
    }
}
