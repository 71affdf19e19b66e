using System.Buffers;
using System.Text;
using Ariadne.Cli.Bench.ClickHouse;
using Ariadne.Model;

namespace Ariadne.Server.Tests.Bench;

/// <summary>The TabSeparated rows the ClickHouse comparison loads: one line per span, one field per column, text escaped.</summary>
public sealed class ClickHouseSpanRowsTests
{
    [Fact]
    public void Write_SpanWithEveryKindOfValue_OneFieldPerColumnInSchemaOrder()
    {
        var fields = Render(TrickyBatch()).Split('\t');

        Assert.Equal(ClickHouseSpanRows.FieldCount, fields.Length);
        Assert.Equal("00000000000000aa", fields[0]);
        Assert.Equal("0000000000000001000000000000000f", fields[1]);
        Assert.Equal("k=v", fields[2]);
        Assert.Equal("00000000000000bb", fields[3]);
        Assert.Equal("GET /a\\tb\\nc\\'d\\\\e", fields[4]);
        Assert.Equal("Server", fields[5]);
        Assert.Equal("1000", fields[6]);
        Assert.Equal("Error", fields[7]);
        Assert.Equal("boom", fields[8]);
        Assert.Equal("2500", fields[9]);
        Assert.Equal("['debug']", fields[10]);
        Assert.Equal("[1]", fields[11]);
        Assert.Equal("['ratio']", fields[12]);
        Assert.Equal("[0.25]", fields[13]);
        Assert.Equal("['http.response.status_code','count']", fields[14]);
        Assert.Equal("[503,-7]", fields[15]);
        Assert.Equal("['http.route','quote']", fields[16]);
        Assert.Equal("['/api/{id}','it\\'s a \\ttab']", fields[17]);
        Assert.Equal("['payload','list']", fields[18]);
        Assert.Equal("['0aff','[1,x]']", fields[19]);
        Assert.Equal("['exception']", fields[20]);
        Assert.Equal("[1500]", fields[21]);
        Assert.Equal("[['exception.type']]", fields[22]);
        Assert.Equal("[['System.Timeout\\nException']]", fields[23]);
        Assert.Equal("['00000000000000020000000000000003']", fields[24]);
        Assert.Equal("['0000000000000004']", fields[25]);
        Assert.Equal("['']", fields[26]);
        Assert.Equal("payments", fields[27]);
        Assert.Equal("['service.name','replicas']", fields[28]);
        Assert.Equal("['payments','3']", fields[29]);
        Assert.Equal("Microsoft.AspNetCore", fields[30]);
        Assert.Equal("10.0.0\n", fields[31]);
    }

    [Fact]
    public void Write_RootSpanWithoutAttributes_EmptyParentAndEmptyArrays()
    {
        var batch = new SpanBatch();
        var resource = batch.Resources.Add(default);
        var scope = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource });
        batch.Spans.Add(new SpanRow { TraceId = new TraceId(0, 1), SpanId = new SpanId(2), ScopeIndex = scope, Name = batch.AddString("root"), StartTimeUnixNano = 10, EndTimeUnixNano = 5 });

        var text = Render(batch);
        var fields = text.Split('\t');

        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(ClickHouseSpanRows.FieldCount, fields.Length);
        Assert.Equal(string.Empty, fields[3]);
        Assert.Equal("Unspecified", fields[5]);
        Assert.Equal("Unset", fields[7]);
        Assert.Equal("0", fields[9]);
        Assert.All(fields[10..26], field => Assert.Equal("[]", field));
        Assert.Equal(string.Empty, fields[27]);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("tab\there", "tab\\there")]
    [InlineData("line\nbreak\r", "line\\nbreak\\r")]
    [InlineData("quote'back\\slash", "quote\\'back\\\\slash")]
    [InlineData("nul\0byte", "nul\\0byte")]
    [InlineData("ünïcode ✓", "ünïcode ✓")]
    public void WriteEscaped_SpecialCharacters_BackslashEscaped(string value, string expected)
    {
        var output = new ArrayBufferWriter<byte>();
        ClickHouseSpanRows.WriteEscaped(Encoding.UTF8.GetBytes(value), output);
        Assert.Equal(expected, Encoding.UTF8.GetString(output.WrittenSpan));
    }

    private static string Render(SpanBatch batch)
    {
        var output = new ArrayBufferWriter<byte>();
        ClickHouseSpanRows.Write(batch, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static SpanBatch TrickyBatch()
    {
        var batch = new SpanBatch();
        var resourceAttrs = batch.Attributes.Reserve(2);
        batch.Attributes[resourceAttrs] = new KeyValue(batch.AddString("service.name"), AnyValue.FromString(batch.AddString("payments")));
        batch.Attributes[resourceAttrs + 1] = new KeyValue(batch.AddString("replicas"), AnyValue.FromInt(3));
        var resource = batch.Resources.Add(new ResourceRow { Attributes = new RowRange(resourceAttrs, 2) });
        var scope = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = batch.AddString("Microsoft.AspNetCore"), Version = batch.AddString("10.0.0") });

        var elements = batch.ArrayValues.Reserve(2);
        batch.ArrayValues[elements] = AnyValue.FromInt(1);
        batch.ArrayValues[elements + 1] = AnyValue.FromString(batch.AddString("x"));
        var attrs = batch.Attributes.Reserve(8);
        batch.Attributes[attrs] = new KeyValue(batch.AddString("http.response.status_code"), AnyValue.FromInt(503));
        batch.Attributes[attrs + 1] = new KeyValue(batch.AddString("http.route"), AnyValue.FromString(batch.AddString("/api/{id}")));
        batch.Attributes[attrs + 2] = new KeyValue(batch.AddString("debug"), AnyValue.FromBool(true));
        batch.Attributes[attrs + 3] = new KeyValue(batch.AddString("ratio"), AnyValue.FromDouble(0.25));
        batch.Attributes[attrs + 4] = new KeyValue(batch.AddString("quote"), AnyValue.FromString(batch.AddString("it's a \ttab")));
        batch.Attributes[attrs + 5] = new KeyValue(batch.AddString("count"), AnyValue.FromInt(-7));
        batch.Attributes[attrs + 6] = new KeyValue(batch.AddString("payload"), AnyValue.FromBytes(batch.AddString((ReadOnlySpan<byte>)[0x0a, 0xff])));
        batch.Attributes[attrs + 7] = new KeyValue(batch.AddString("list"), AnyValue.FromArray(new RowRange(elements, 2)));

        var eventAttrs = batch.Attributes.Reserve(1);
        batch.Attributes[eventAttrs] = new KeyValue(batch.AddString("exception.type"), AnyValue.FromString(batch.AddString("System.Timeout\nException")));
        var events = batch.Events.Add(new EventRow { TimeUnixNano = 1500, Name = batch.AddString("exception"), Attributes = new RowRange(eventAttrs, 1) });
        var links = batch.Links.Add(new LinkRow { TraceId = new TraceId(2, 3), SpanId = new SpanId(4) });

        batch.Spans.Add(new SpanRow
        {
            TraceId = new TraceId(1, 15),
            SpanId = new SpanId(0xaa),
            ParentSpanId = new SpanId(0xbb),
            TraceState = batch.AddString("k=v"),
            Name = batch.AddString("GET /a\tb\nc'd\\e"),
            Kind = SpanKind.Server,
            ScopeIndex = scope,
            StartTimeUnixNano = 1000,
            EndTimeUnixNano = 3500,
            StatusCode = StatusCode.Error,
            StatusMessage = batch.AddString("boom"),
            Attributes = new RowRange(attrs, 8),
            Events = new RowRange(events, 1),
            Links = new RowRange(links, 1),
        });
        return batch;
    }
}
