using System.Buffers;
using System.Text;
using System.Text.Json;
using Ariadne.Model;
using Ariadne.Protocols.Otlp.Json;

namespace Ariadne.Protocols.Tests.Otlp.Json;

public class OtlpJsonDecoderTests
{
    private const string TraceHex = "5b8efff798038103d269b633813fc60c";
    private const string SpanHex = "eee19b7ec3c1b174";

    private static SpanBatch Decode(string json)
    {
        var batch = new SpanBatch();
        Assert.True(OtlpJsonDecoder.TryDecode(Encoding.UTF8.GetBytes(json), batch, out var error), error);
        return batch;
    }

    private static string Fail(string json)
    {
        Assert.False(OtlpJsonDecoder.TryDecode(Encoding.UTF8.GetBytes(json), new SpanBatch(), out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.DoesNotContain('\n', error);
        return error!;
    }

    /// <summary>A request with one span whose members are given as JSON text.</summary>
    private static string OneSpan(string members) =>
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"" + TraceHex + "\",\"spanId\":\"" + SpanHex + "\"" + members + "}]}]}]}";

    private static AnyValue SingleAttributeValue(SpanBatch batch) => batch.AttributesOf(batch.Spans[0].Attributes)[0].Value;

    private static string AttributeValue(string valueJson)
    {
        var batch = Decode(OneSpan(",\"attributes\":[{\"key\":\"k\",\"value\":" + valueJson + "}]"));
        return BatchDump.Value(batch, SingleAttributeValue(batch));
    }

    [Fact]
    public void TryDecode_SpecStyleExample_ReadsEveryField()
    {
        var batch = Decode("""
            {
              "resourceSpans": [{
                "resource": {
                  "attributes": [{ "key": "service.name", "value": { "stringValue": "my.service" } }],
                  "droppedAttributesCount": 1
                },
                "scopeSpans": [{
                  "scope": {
                    "name": "my.library", "version": "1.0.0",
                    "attributes": [{ "key": "my.scope.attribute", "value": { "stringValue": "some scope attribute" } }]
                  },
                  "spans": [{
                    "traceId": "5B8EFFF798038103D269B633813FC60C",
                    "spanId": "EEE19B7EC3C1B174",
                    "parentSpanId": "EEE19B7EC3C1B173",
                    "traceState": "congo=t61rcWkgMzE",
                    "name": "I'm a server span",
                    "startTimeUnixNano": "1544712660000000000",
                    "endTimeUnixNano": "1544712661000000000",
                    "kind": 2,
                    "flags": 257,
                    "attributes": [{ "key": "my.span.attr", "value": { "stringValue": "some value" } }],
                    "droppedAttributesCount": 2,
                    "events": [{ "timeUnixNano": "1544712660500000000", "name": "retry", "attributes": [{ "key": "attempt", "value": { "intValue": "2" } }] }],
                    "droppedEventsCount": 3,
                    "links": [{ "traceId": "0af7651916cd43dd8448eb211c80319c", "spanId": "b7ad6b7169203331", "traceState": "x=y", "flags": 1 }],
                    "droppedLinksCount": 4,
                    "status": { "code": 2, "message": "boom" }
                  }],
                  "schemaUrl": "https://opentelemetry.io/schemas/1.21.0"
                }],
                "schemaUrl": "https://opentelemetry.io/schemas/1.26.0"
              }]
            }
            """);
        Assert.Equal(
            """
            resource schema="https://opentelemetry.io/schemas/1.26.0" dropped=1 {"service.name"=s:"my.service";}
             scope "my.library" "1.0.0" schema="https://opentelemetry.io/schemas/1.21.0" dropped=0 {"my.scope.attribute"=s:"some scope attribute";}
              span 5b8efff798038103d269b633813fc60c/eee19b7ec3c1b174 parent=eee19b7ec3c1b173 name="I'm a server span" state="congo=t61rcWkgMzE" kind=Server flags=257 time=1544712660000000000..1544712661000000000 status=Error:"boom" dropped=2/3/4 defect=None {"my.span.attr"=s:"some value";}
               event 1544712660500000000 "retry" dropped=0 {"attempt"=i:2;}
               link 0af7651916cd43dd8448eb211c80319c/b7ad6b7169203331 state="x=y" flags=1 dropped=0 {}

            """.ReplaceLineEndings("\n"),
            BatchDump.Of(batch).ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("{\"stringValue\":\"text\"}", "s:\"text\"")]
    [InlineData("{\"stringValue\":\"\"}", "s:\"\"")]
    [InlineData("{\"boolValue\":true}", "true")]
    [InlineData("{\"boolValue\":false}", "false")]
    [InlineData("{\"intValue\":\"-9223372036854775808\"}", "i:-9223372036854775808")]
    [InlineData("{\"intValue\":9223372036854775807}", "i:9223372036854775807")]
    [InlineData("{\"intValue\":\"0\"}", "i:0")]
    [InlineData("{\"intValue\":1e3}", "i:1000")]
    [InlineData("{\"intValue\":\"2.0\"}", "i:2")]
    [InlineData("{\"doubleValue\":1.5}", "d:1.5#3ff8000000000000")]
    [InlineData("{\"doubleValue\":\"2.5e3\"}", "d:2500#40a3880000000000")]
    [InlineData("{\"doubleValue\":3}", "d:3#4008000000000000")]
    [InlineData("{\"doubleValue\":\"NaN\"}", "d:NaN#fff8000000000000")]
    [InlineData("{\"doubleValue\":\"Infinity\"}", "d:Infinity#7ff0000000000000")]
    [InlineData("{\"doubleValue\":\"-Infinity\"}", "d:-Infinity#fff0000000000000")]
    [InlineData("{\"bytesValue\":\"AQID/w==\"}", "b:010203FF")]
    [InlineData("{\"bytesValue\":\"AQID_w\"}", "b:010203FF")]
    [InlineData("{\"bytesValue\":\"AQID\\/w==\"}", "b:010203FF")]
    [InlineData("{\"arrayValue\":{\"values\":[{\"intValue\":\"1\"},{\"stringValue\":\"two\"},{\"arrayValue\":{\"values\":[{\"boolValue\":true}]}},{}]}}", "[i:1,s:\"two\",[true,],empty,]")]
    [InlineData("{\"arrayValue\":{}}", "[]")]
    [InlineData("{\"kvlistValue\":{\"values\":[{\"key\":\"a\",\"value\":{\"kvlistValue\":{\"values\":[{\"key\":\"b\",\"value\":{\"doubleValue\":0.5}}]}}},{\"key\":\"c\"}]}}", "{\"a\"={\"b\"=d:0.5#3fe0000000000000;};\"c\"=empty;}")]
    [InlineData("{\"kvlistValue\":{\"values\":[]}}", "{}")]
    [InlineData("{}", "empty")]
    [InlineData("null", "empty")]
    [InlineData("{\"stringValue\":null}", "empty")]
    [InlineData("{\"intValue\":\"5\",\"stringValue\":\"last wins\"}", "s:\"last wins\"")]
    public void TryDecode_EveryValueKind_ReadsTheValue(string valueJson, string expected)
    {
        Assert.Equal(expected, AttributeValue(valueJson));
    }

    [Fact]
    public void TryDecode_SnakeCaseKeys_ReadLikeCamelCaseKeys()
    {
        const string Camel = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"arrayValue":{"values":[{"stringValue":"s"},{"intValue":"1"},{"doubleValue":2.5},{"boolValue":true},{"bytesValue":"AQ=="}]}}},
               {"key":"m","value":{"kvlistValue":{"values":[{"key":"x","value":{"intValue":3}}]}}}],"droppedAttributesCount":1},"schemaUrl":"r",
              "scopeSpans":[{"scope":{"name":"n","version":"v","droppedAttributesCount":2},"schemaUrl":"s",
                "spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","parentSpanId":"eee19b7ec3c1b173","traceState":"t=1",
                  "startTimeUnixNano":"10","endTimeUnixNano":"20","droppedAttributesCount":3,"droppedEventsCount":4,"droppedLinksCount":5,
                  "events":[{"timeUnixNano":"15","name":"e","droppedAttributesCount":6}],
                  "links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","traceState":"l=1","droppedAttributesCount":7}]}]}]}]}
            """;
        const string Snake = """
            {"resource_spans":[{"resource":{"attributes":[{"key":"k","value":{"array_value":{"values":[{"string_value":"s"},{"int_value":"1"},{"double_value":2.5},{"bool_value":true},{"bytes_value":"AQ=="}]}}},
               {"key":"m","value":{"kvlist_value":{"values":[{"key":"x","value":{"int_value":3}}]}}}],"dropped_attributes_count":1},"schema_url":"r",
              "scope_spans":[{"scope":{"name":"n","version":"v","dropped_attributes_count":2},"schema_url":"s",
                "spans":[{"trace_id":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b174","parent_span_id":"eee19b7ec3c1b173","trace_state":"t=1",
                  "start_time_unix_nano":"10","end_time_unix_nano":"20","dropped_attributes_count":3,"dropped_events_count":4,"dropped_links_count":5,
                  "events":[{"time_unix_nano":"15","name":"e","dropped_attributes_count":6}],
                  "links":[{"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","trace_state":"l=1","dropped_attributes_count":7}]}]}]}]}
            """;
        var camel = BatchDump.Of(Decode(Camel));
        Assert.Contains("dropped=3/4/5", camel, StringComparison.Ordinal);
        Assert.Contains("\"m\"={\"x\"=i:3;}", camel, StringComparison.Ordinal);
        Assert.Equal(camel, BatchDump.Of(Decode(Snake)));
    }

    [Theory]
    [InlineData("5B8EFFF798038103D269B633813FC60C", "EEE19B7EC3C1B174")]
    [InlineData("5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174")]
    [InlineData("5b8EFFF798038103d269B633813fc60C", "eEe19B7ec3c1B174")]
    [InlineData("\\u0035b8efff798038103d269b633813fc60c", "eee19b7ec3c1b17\\u0034")]
    public void TryDecode_IdsInAnyCaseOrEscaped_ReadTheSameIds(string traceId, string spanId)
    {
        var batch = Decode("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"" + traceId + "\",\"spanId\":\"" + spanId + "\",\"parentSpanId\":\"" + spanId + "\"}]}]}]}");
        var span = batch.Spans[0];
        Assert.Equal(SpanDefect.None, span.Defect);
        Assert.Equal(TraceId.Parse(TraceHex), span.TraceId);
        Assert.Equal(SpanId.Parse(SpanHex), span.SpanId);
        Assert.Equal(SpanId.Parse(SpanHex), span.ParentSpanId);
    }

    [Theory]
    [InlineData("\"1544712660000000000\"", "\"18446744073709551615\"")]
    [InlineData("1544712660000000000", "18446744073709551615")]
    [InlineData("\"1544712660000000000\"", "18446744073709551615")]
    [InlineData("1.54471266e18", "\"18446744073709551615\"")]
    public void TryDecode_TimestampsAsStringsOrNumbers_ReadTheSameValue(string start, string end)
    {
        var span = Decode(OneSpan(",\"startTimeUnixNano\":" + start + ",\"endTimeUnixNano\":" + end)).Spans[0];
        Assert.Equal(1544712660000000000UL, span.StartTimeUnixNano);
        Assert.Equal(ulong.MaxValue, span.EndTimeUnixNano);
    }

    [Theory]
    [InlineData("0", "0", 0, 0)]
    [InlineData("\"SPAN_KIND_UNSPECIFIED\"", "\"STATUS_CODE_UNSET\"", 0, 0)]
    [InlineData("1", "1", 1, 1)]
    [InlineData("\"SPAN_KIND_INTERNAL\"", "\"STATUS_CODE_OK\"", 1, 1)]
    [InlineData("2", "2", 2, 2)]
    [InlineData("\"SPAN_KIND_SERVER\"", "\"STATUS_CODE_ERROR\"", 2, 2)]
    [InlineData("3", "null", 3, 0)]
    [InlineData("\"SPAN_KIND_CLIENT\"", "0", 3, 0)]
    [InlineData("4", "0", 4, 0)]
    [InlineData("\"SPAN_KIND_PRODUCER\"", "0", 4, 0)]
    [InlineData("5", "0", 5, 0)]
    [InlineData("\"SPAN_KIND_\\u0043ONSUMER\"", "0", 5, 0)]
    [InlineData("17", "9", 0, 0)]
    [InlineData("-1", "-4", 0, 0)]
    public void TryDecode_EnumNamesAndNumbers_ReadTheSameKinds(string kind, string code, int expectedKind, int expectedCode)
    {
        var span = Decode(OneSpan(",\"kind\":" + kind + ",\"status\":{\"code\":" + code + "}")).Spans[0];
        Assert.Equal((SpanKind)expectedKind, span.Kind);
        Assert.Equal((StatusCode)expectedCode, span.StatusCode);
    }

    [Fact]
    public void TryDecode_UnknownFieldsAtEveryLevel_AreIgnored()
    {
        const string U = "\"unknownField\":{\"deep\":[1,{\"x\":[[],{}]},\"s\",null,true],\"n\":-1.5e3}";
        const string Plain = """
            {"resourceSpans":[{"resource":{"attributes":[{"key":"r","value":{"stringValue":"v"}}]},
              "scopeSpans":[{"scope":{"name":"n"},
                "spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","name":"s",
                  "attributes":[{"key":"a","value":{"arrayValue":{"values":[{"kvlistValue":{"values":[{"key":"x","value":{"intValue":"1"}}]}}]}}}],
                  "events":[{"name":"e","attributes":[{"key":"ea","value":{"boolValue":true}}]}],
                  "links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331"}],
                  "status":{"code":2}}]}]}]}
            """;
        var noisy = "{" + U + ",\"resourceSpans\":[{" + U + ",\"resource\":{" + U + ",\"attributes\":[{" + U + ",\"key\":\"r\",\"value\":{" + U + ",\"stringValue\":\"v\"}}]},"
            + "\"scopeSpans\":[{" + U + ",\"scope\":{" + U + ",\"name\":\"n\"},"
            + "\"spans\":[{" + U + ",\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\",\"name\":\"s\","
            + "\"attributes\":[{\"key\":\"a\",\"value\":{\"arrayValue\":{" + U + ",\"values\":[{\"kvlistValue\":{" + U + ",\"values\":[{\"key\":\"x\",\"value\":{\"intValue\":\"1\"}," + U + "}]}}]}}}],"
            + "\"events\":[{" + U + ",\"name\":\"e\",\"attributes\":[{\"key\":\"ea\",\"value\":{\"boolValue\":true}}]}],"
            + "\"links\":[{" + U + ",\"traceId\":\"0af7651916cd43dd8448eb211c80319c\",\"spanId\":\"b7ad6b7169203331\"}],"
            + "\"status\":{" + U + ",\"code\":2}," + U + "}]," + U + "}]," + U + "}]," + U + "}";
        Assert.Equal(BatchDump.Of(Decode(Plain)), BatchDump.Of(Decode(noisy)));
    }

    [Fact]
    public void TryDecode_EventsBeforeAttributesAndInterleavedOwners_KeepRangesPerOwner()
    {
        var batch = Decode("""
            {"resourceSpans":[{
              "scopeSpans":[{
                "spans":[
                  {"events":[{"attributes":[{"key":"e1a","value":{"kvlistValue":{"values":[{"key":"n1","value":{"stringValue":"x"}}]}}},{"key":"e1b","value":{"intValue":"1"}}],"name":"e1"},
                             {"name":"e2","attributes":[{"key":"e2a","value":{"arrayValue":{"values":[{"stringValue":"y"}]}}}]}],
                   "links":[{"attributes":[{"key":"l1a","value":{"boolValue":false}}],"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331"}],
                   "attributes":[{"key":"s1a","value":{"stringValue":"1"}},{"key":"s1b","value":{"kvlistValue":{"values":[{"key":"n2","value":{"kvlistValue":{"values":[{"key":"n3","value":{}}]}}},{"key":"n4","value":{}}]}}}],
                   "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"},
                  {"attributes":[{"key":"s2a","value":{}}],"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b175",
                   "events":[{"name":"e3","attributes":[{"key":"e3a","value":{}}]}]}
                ],
                "scope":{"attributes":[{"key":"scope1","value":{}}]}}],
              "resource":{"attributes":[{"key":"res1","value":{}},{"key":"res2","value":{}}]}}]}
            """);
        string Keys(RowRange range)
        {
            var keys = new List<string>();
            foreach (var kv in batch.AttributesOf(range))
            {
                keys.Add(batch.GetString(kv.Key));
            }

            return string.Join(",", keys);
        }

        var first = batch.Spans[0];
        var second = batch.Spans[1];
        Assert.Equal("s1a,s1b", Keys(first.Attributes));
        Assert.Equal("e1a,e1b", Keys(batch.Events[first.Events.Start].Attributes));
        Assert.Equal("e2a", Keys(batch.Events[first.Events.Start + 1].Attributes));
        Assert.Equal("l1a", Keys(batch.Links[first.Links.Start].Attributes));
        Assert.Equal("s2a", Keys(second.Attributes));
        Assert.Equal("e3a", Keys(batch.Events[second.Events.Start].Attributes));
        Assert.Equal("scope1", Keys(batch.ScopeOf(first).Attributes));
        Assert.Equal("res1,res2", Keys(batch.ResourceOf(first).Attributes));
        Assert.Equal(2, first.Events.Count);
        Assert.Equal(1, second.Events.Count);
        Assert.Equal("{\"n2\"={\"n3\"=empty;};\"n4\"=empty;}", BatchDump.Value(batch, batch.AttributesOf(first.Attributes)[1].Value));
        Assert.Equal("{\"n1\"=s:\"x\";}", BatchDump.Value(batch, batch.AttributesOf(batch.Events[first.Events.Start].Attributes)[0].Value));
    }

    [Fact]
    public void TryDecode_DefectiveSpans_AreMarkedPerSpanAndOthersKept()
    {
        var batch = Decode("""
            {"resourceSpans":[{"scopeSpans":[{"spans":[
              {"traceId":"00000000000000000000000000000000","spanId":"00f067aa0ba902b7"},
              {"traceId":"0af7651916cd43dd8448eb211c80319","spanId":"00f067aa0ba902b7"},
              {"spanId":"00f067aa0ba902b7"},
              {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"zzzzzzzzzzzzzzzz"},
              {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":""},
              {"traceId":"0af7651916cd43dd8448eb211c80319c"},
              {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b7","parentSpanId":"abc"},
              {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b7","links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b71692033"}]},
              {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b7","links":[{"spanId":"b7ad6b7169203331"}]},
              {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b8","startTimeUnixNano":"3","endTimeUnixNano":"2"},
              {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b9","parentSpanId":""},
              {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902ba","parentSpanId":null,"name":"kept"}
            ]}]}]}
            """);
        var defects = new List<SpanDefect>();
        foreach (var span in batch.Spans.Rows)
        {
            defects.Add(span.Defect);
        }

        Assert.Equal(
            [
                SpanDefect.InvalidTraceId, SpanDefect.InvalidTraceId, SpanDefect.InvalidTraceId, SpanDefect.InvalidSpanId, SpanDefect.InvalidSpanId,
                SpanDefect.InvalidSpanId, SpanDefect.InvalidParentSpanId, SpanDefect.InvalidLink, SpanDefect.InvalidLink, SpanDefect.EndBeforeStart,
                SpanDefect.None, SpanDefect.None,
            ],
            defects);
        Assert.Equal(10, batch.RemoveDefectiveSpans());
        Assert.Equal("kept", batch.GetString(batch.Spans[1].Name));
    }

    [Theory]
    [InlineData("", "invalid JSON")]
    [InlineData("   ", "invalid JSON")]
    [InlineData("[]", "'request' must be an object")]
    [InlineData("{} {}", "invalid JSON")]
    [InlineData("{\"resourceSpans\":[{", "invalid JSON")]
    [InlineData("{\"resourceSpans\":{}}", "'resourceSpans' must be an array, found an object")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":{}}]}]}]}", "'resourceSpans[0].scopeSpans[0].spans[0].name' must be a string, found an object")]
    [InlineData("{\"resourceSpans\":[{},{\"scopeSpans\":[{},{\"spans\":[{},{\"startTimeUnixNano\":\"soon\"}]}]}]}", "resourceSpans[1].scopeSpans[1].spans[1].startTimeUnixNano")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":-5}]}]}]}", "startTimeUnixNano")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"kind\":\"SPAN_KIND_NOPE\"}]}]}]}", "'resourceSpans[0].scopeSpans[0].spans[0].kind' must be a SpanKind number or name, found a string")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"status\":{\"code\":true}}]}]}]}", "status.code")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":5}]}]}]}", "traceId' must be a hex string, found a number")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":{}}]}]}]}", "attributes' must be an array")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k\",\"value\":{\"boolValue\":\"yes\"}}]}]}]}]}", "value.boolValue' must be true or false")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k\",\"value\":{\"intValue\":\"1.5\"}}]}]}]}]}", "value.intValue")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k\",\"value\":{\"intValue\":\"99999999999999999999\"}}]}]}]}]}", "value.intValue")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k\",\"value\":{\"doubleValue\":\"lots\"}}]}]}]}]}", "value.doubleValue")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k\",\"value\":{\"bytesValue\":\"not base64!\"}}]}]}]}]}", "is not valid base64")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"attributes\":[{\"key\":\"k\",\"value\":[]}]}]}]}]}", "'resourceSpans[0].scopeSpans[0].spans[0].value' must be an object, found an array")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"events\":[{\"droppedAttributesCount\":4294967296}]}]}]}]}", "larger than a 32-bit")]
    [InlineData("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":1}]}}]}", "'resourceSpans[0].key' must be a string, found a number")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"scope\":\"name\"}]}]}", "'resourceSpans[0].scopeSpans[0].scope' must be an object")]
    [InlineData("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"\\ud800\"}]}]}]}", "invalid JSON string")]
    [InlineData("{\"resourceSpans\":[],}", "invalid JSON")]
    [InlineData("{\"resourceSpans\":[] /* comment */}", "invalid JSON")]
    [InlineData("{'resourceSpans':[]}", "invalid JSON")]
    public void TryDecode_InvalidJsonOrWrongTypes_FailsWithAOneLineMessage(string json, string expected)
    {
        Assert.Contains(expected, Fail(json), StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_WrongTypeError_SaysTheByteOffset()
    {
        var json = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":5}]}]}]}";
        Assert.EndsWith($"at byte {json.IndexOf('5', StringComparison.Ordinal)}", Fail(json), StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_NestingPastTheDepthLimit_FailsAndWithinItSucceeds()
    {
        static string Nested(int levels)
        {
            var text = new StringBuilder();
            for (var i = 0; i < levels; i++)
            {
                text.Append("{\"arrayValue\":{\"values\":[");
            }

            text.Append("{\"intValue\":\"7\"}");
            for (var i = 0; i < levels; i++)
            {
                text.Append("]}}");
            }

            return OneSpan(",\"attributes\":[{\"key\":\"k\",\"value\":" + text + "}]");
        }

        var batch = Decode(Nested(15));
        Assert.StartsWith("[[[[[[[[[[[[[[[i:7,]", BatchDump.Value(batch, SingleAttributeValue(batch)), StringComparison.Ordinal);
        Assert.Contains("depth", Fail(Nested(30)), StringComparison.Ordinal);
        Assert.Contains("depth", Fail(Nested(100_000)), StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_EscapedStrings_AreUnescapedIntoTheHeap()
    {
        var batch = Decode(OneSpan(",\"name\":\"a\\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00\",\"attributes\":[{\"key\":\"\\u006bey\",\"value\":{\"stringValue\":\"caf\\u00e9\"}}]"));
        Assert.Equal("a\"b\\c/d\né😀", batch.GetString(batch.Spans[0].Name));
        var kv = batch.AttributesOf(batch.Spans[0].Attributes)[0];
        Assert.Equal("key", batch.GetString(kv.Key));
        Assert.Equal("café", batch.GetString(kv.Value.StringRef));
    }

    [Fact]
    public void TryDecode_InvalidUtf8InAString_IsReplacedSoTheBatchCanBeWrittenAgain()
    {
        var json = Encoding.UTF8.GetBytes(OneSpan(",\"name\":\"ab\""));
        var at = Array.IndexOf(json, (byte)'b', json.Length - 12);
        json[at] = 0xFF;
        var batch = new SpanBatch();
        var ok = OtlpJsonDecoder.TryDecode(json, batch, out var error);
        Assert.True(ok, error);
        Assert.Equal("a\uFFFD", batch.GetString(batch.Spans[0].Name));
        using var writer = new Utf8JsonWriter(new ArrayBufferWriter<byte>());
        OtlpJsonEncoder.WriteTracesData(batch, writer);
    }

    [Fact]
    public void TryDecode_FailedRequest_LeavesTheBatchAsItWas()
    {
        var batch = Decode(OneSpan(",\"name\":\"first\",\"attributes\":[{\"key\":\"k\",\"value\":{\"kvlistValue\":{\"values\":[{\"key\":\"n\",\"value\":{\"arrayValue\":{\"values\":[{}]}}}]}}}]"));
        var before = BatchDump.Of(batch);
        var sizes = (batch.Heap.Count, batch.Attributes.Count, batch.NestedAttributes.Count, batch.ArrayValues.Count, batch.Spans.Count, batch.Resources.Count, batch.Scopes.Count);
        var failing = OneSpan(",\"name\":\"second\",\"attributes\":[{\"key\":\"k2\",\"value\":{\"kvlistValue\":{\"values\":[{\"key\":\"n\",\"value\":{\"arrayValue\":{\"values\":[{}]}}}]}}}],\"events\":[{\"name\":\"e\"}],\"flags\":\"x\"");
        Assert.False(OtlpJsonDecoder.TryDecode(Encoding.UTF8.GetBytes(failing), batch, out _));
        Assert.Equal(sizes, (batch.Heap.Count, batch.Attributes.Count, batch.NestedAttributes.Count, batch.ArrayValues.Count, batch.Spans.Count, batch.Resources.Count, batch.Scopes.Count));
        Assert.Equal(0, batch.Events.Count);
        Assert.Equal(before, BatchDump.Of(batch));
    }

    [Fact]
    public void TryDecode_SecondRequestIntoTheSameBatch_Appends()
    {
        var batch = Decode(OneSpan(",\"name\":\"one\",\"attributes\":[{\"key\":\"a\",\"value\":{\"stringValue\":\"x\"}}]"));
        Assert.True(OtlpJsonDecoder.TryDecode(Encoding.UTF8.GetBytes(OneSpan(",\"name\":\"two\",\"attributes\":[{\"key\":\"a\",\"value\":{\"stringValue\":\"x\"}}]")), batch, out var error), error);
        Assert.Equal(2, batch.SpanCount);
        Assert.Equal("two", batch.GetString(batch.Spans[1].Name));
        Assert.Equal(1, batch.ScopeOf(batch.Spans[1]).ResourceIndex);
        Assert.Equal("x", batch.GetString(batch.AttributesOf(batch.Spans[1].Attributes)[0].Value.StringRef));
    }

    [Fact]
    public void TryDecode_NullsForKnownFields_MeanAbsent()
    {
        var batch = Decode("""
            {"resourceSpans":[null,{"resource":null,"schemaUrl":null,"scopeSpans":[null,{"scope":null,"schemaUrl":null,"spans":[null,
              {"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174","parentSpanId":null,"name":null,"traceState":null,"kind":null,
               "flags":null,"startTimeUnixNano":null,"endTimeUnixNano":null,"attributes":[null,{"key":null,"value":null}],"events":[null,{"name":null,"attributes":null}],
               "links":null,"status":null,"droppedAttributesCount":null}]}]}]}
            """);
        Assert.Equal(1, batch.SpanCount);
        var span = batch.Spans[0];
        Assert.Equal(SpanDefect.None, span.Defect);
        Assert.Equal(1, span.Attributes.Count);
        Assert.Equal(ValueKind.Empty, batch.AttributesOf(span.Attributes)[0].Value.Kind);
        Assert.Equal(1, span.Events.Count);
        Assert.Equal(0, span.Links.Count);
    }

    [Fact]
    public void TryDecode_RepeatedIntoAClearedBatch_AllocatesNothing()
    {
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output))
        {
            OtlpJsonEncoder.WriteTracesData(RandomBatch.Create(seed: 3, size: 200), writer);
        }

        var json = output.WrittenSpan.ToArray();
        var batch = new SpanBatch();
        for (var i = 0; i < 3; i++)
        {
            batch.Clear();
            Assert.True(OtlpJsonDecoder.TryDecode(json, batch, out _));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            batch.Clear();
            OtlpJsonDecoder.TryDecode(json, batch, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(batch.SpanCount > 1);
    }
}
