using System.Text;
using Ariadne.Model;
using Ariadne.Pipeline.Processors;

namespace Ariadne.Pipeline.Tests;

public class SpanLimitsProcessorTests
{
    [Fact]
    public void Process_SpanOverTheLimits_KeepsTheFirstAndCountsTheRestAsDropped()
    {
        var batch = new SpanBatch();
        var attributes = batch.Attributes.Count;
        for (var i = 0; i < 5; i++)
        {
            batch.Attributes.Add(new KeyValue(batch.AddString("k" + i), AnyValue.FromInt(i)));
        }

        var events = batch.Events.Count;
        for (var i = 0; i < 3; i++)
        {
            batch.Events.Add(new EventRow { Name = batch.AddString("e" + i) });
        }

        batch.Spans.Add(new SpanRow
        {
            TraceId = new TraceId(1, 1),
            SpanId = new SpanId(1),
            Attributes = new RowRange(attributes, 5),
            Events = new RowRange(events, 3),
            DroppedAttributesCount = 1,
        });
        var processor = new SpanLimitsProcessor("span_limits") { MaxAttributesPerSpan = 2, MaxEventsPerSpan = 1 };
        var modified = processor.Process(batch, new bool[1]);

        Assert.Equal(1, modified);
        ref readonly var span = ref batch.Spans[0];
        Assert.Equal(2, span.Attributes.Count);
        Assert.Equal(4u, span.DroppedAttributesCount);
        Assert.Equal(1, span.Events.Count);
        Assert.Equal(2u, span.DroppedEventsCount);
        Assert.Equal("k0", batch.GetString(batch.AttributesOf(span.Attributes)[0].Key));
    }

    [Fact]
    public void Process_LongValues_AreCutOnACharacterBoundary_AndShortOnesAreLeftAlone()
    {
        var batch = new SpanBatch();
        var first = batch.Attributes.Add(new KeyValue(batch.AddString("long"), AnyValue.FromString(batch.AddString("ab" + new string('é', 10)))));
        batch.Attributes.Add(new KeyValue(batch.AddString("short"), AnyValue.FromString(batch.AddString("ok"))));
        batch.Spans.Add(new SpanRow { TraceId = new TraceId(1, 1), SpanId = new SpanId(1), Attributes = new RowRange(first, 2) });

        // "ab" + é (2 bytes each): a limit of 5 bytes would split the second é, so 4 bytes are kept.
        var modified = new SpanLimitsProcessor("span_limits") { MaxAttributeValueLength = 5 }.Process(batch, new bool[1]);

        Assert.Equal(1, modified);
        var values = batch.AttributesOf(batch.Spans[0].Attributes);
        Assert.Equal("abé", batch.GetString(values[0].Value.StringRef));
        Assert.Equal("ok", batch.GetString(values[1].Value.StringRef));
    }

    [Fact]
    public void Utf8Prefix_NeverEndsInsideACharacter()
    {
        var text = Encoding.UTF8.GetBytes("a€😀b");
        for (var max = 0; max <= text.Length; max++)
        {
            var length = SpanLimitsProcessor.Utf8Prefix(text, max);
            Assert.True(length <= max);
            Assert.Equal(Encoding.UTF8.GetString(text, 0, length).Length, Encoding.UTF8.GetCharCount(text, 0, length));
            Assert.DoesNotContain('\uFFFD', Encoding.UTF8.GetString(text, 0, length));
        }
    }
}

public class ProbabilisticSamplerProcessorTests
{
    [Theory]
    [InlineData(25.0)]
    [InlineData(10.0)]
    [InlineData(60.0)]
    public void Keeps_AboutThePercentageOfTraces(double percentage)
    {
        var sampler = new ProbabilisticSamplerProcessor("probabilistic_sampler", percentage, 0);
        var random = new Random(1);
        var kept = 0;
        const int Traces = 100_000;
        for (var i = 0; i < Traces; i++)
        {
            kept += sampler.Keeps(new TraceId((ulong)random.NextInt64(), (ulong)random.NextInt64())) ? 1 : 0;
        }

        Assert.InRange(kept / (double)Traces * 100, percentage - 1, percentage + 1);
    }

    [Fact]
    public void Decision_DependsOnTheTraceAndTheSeedOnly_SoEverySpanOfATraceAndEveryInstanceAgree()
    {
        var a = new ProbabilisticSamplerProcessor("a", 50, 7);
        var b = new ProbabilisticSamplerProcessor("b", 50, 7);
        var otherSeed = new ProbabilisticSamplerProcessor("c", 50, 8);
        var random = new Random(2);
        var disagreements = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var id = new TraceId((ulong)random.NextInt64(), (ulong)random.NextInt64());
            Assert.Equal(a.Keeps(id), b.Keeps(id));
            disagreements += a.Keeps(id) != otherSeed.Keeps(id) ? 1 : 0;
        }

        Assert.InRange(disagreements, 4000, 6000);

        var batch = new SpanBatch();
        for (var i = 0; i < 400; i++)
        {
            batch.Spans.Add(new SpanRow { TraceId = new TraceId(9, (ulong)(i / 4) + 1), SpanId = new SpanId((ulong)i + 1) });
        }

        var drop = new bool[batch.SpanCount];
        a.Process(batch, drop);
        for (var i = 0; i < 400; i += 4)
        {
            Assert.True(drop[i] == drop[i + 1] && drop[i] == drop[i + 2] && drop[i] == drop[i + 3]);
        }
    }

    [Fact]
    public void ZeroAndHundredPercent_DropAllAndKeepAll()
    {
        var id = new TraceId(0x1234, 0x5678);
        Assert.False(new ProbabilisticSamplerProcessor("p", 0, 0).Keeps(id));
        Assert.True(new ProbabilisticSamplerProcessor("p", 100, 0).Keeps(id));
    }

    [Fact]
    public void Hash_IsFnv1aOverTheLittleEndianSeedThenTheTraceIdBytes()
    {
        // FNV-1a 32 of 20 zero bytes (seed 0, trace id 0): the offset basis multiplied by the prime 20 times.
        var expected = 2166136261u;
        for (var i = 0; i < 20; i++)
        {
            expected *= 16777619u;
        }

        Assert.Equal(expected, ProbabilisticSamplerProcessor.Hash(default, 0));
    }
}

public class RedactionProcessorTests
{
    private static SpanBatch Batch()
    {
        var batch = new SpanBatch();
        var start = batch.Attributes.Count;
        (string Key, string Value)[] attributes =
        [
            ("http.route", "/pay"),
            ("card.number", "4111 1111 1111 1111"),
            ("note", "paid with 4111-1111-1111-1111 today"),
            ("session", "abc"),
        ];
        foreach (var (key, value) in attributes)
        {
            batch.Attributes.Add(new KeyValue(batch.AddString(key), AnyValue.FromString(batch.AddString(value))));
        }

        var eventAttribute = batch.Attributes.Add(new KeyValue(batch.AddString("secret"), AnyValue.FromString(batch.AddString("x"))));
        var e = batch.Events.Add(new EventRow { Name = batch.AddString("log"), Attributes = new RowRange(eventAttribute, 1) });
        batch.Spans.Add(new SpanRow { TraceId = new TraceId(1, 1), SpanId = new SpanId(1), Attributes = new RowRange(start, attributes.Length), Events = new RowRange(e, 1) });
        return batch;
    }

    private static Dictionary<string, string> Attributes(SpanBatch batch, RowRange range)
    {
        var result = new Dictionary<string, string>();
        foreach (ref readonly var kv in batch.AttributesOf(range))
        {
            result[batch.GetString(kv.Key)] = kv.Value.Kind == ValueKind.Int ? kv.Value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : batch.GetString(kv.Value.StringRef);
        }

        return result;
    }

    [Fact]
    public void Process_RemovesKeysNotAllowed_MasksBlockedValues_AndSummarizes()
    {
        var batch = Batch();
        var processor = new RedactionProcessor("redaction", false, ["http.route", "card.number", "note"], ["session"],
            [new System.Text.RegularExpressions.Regex(@"4[0-9]{3}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{4}")], null, "debug");
        Assert.Equal(1, processor.Process(batch, new bool[1]));

        var attributes = Attributes(batch, batch.Spans[0].Attributes);
        Assert.Equal("/pay", attributes["http.route"]);
        Assert.Equal("****", attributes["card.number"]);
        Assert.Equal("paid with **** today", attributes["note"]);
        Assert.Equal("abc", attributes["session"]);
        Assert.Equal("secret", attributes["redaction.redacted.keys"]);
        Assert.Equal("1", attributes["redaction.redacted.count"]);
        Assert.Equal("card.number,note", attributes["redaction.masked.keys"]);
        Assert.Equal("2", attributes["redaction.masked.count"]);
        Assert.Empty(Attributes(batch, batch.Events[0].Attributes));
    }

    [Fact]
    public void Process_AllowAllKeysWithAHash_KeepsKeysAndHashesWhatMatches_Silently()
    {
        var batch = Batch();
        var processor = new RedactionProcessor("redaction", true, [], [], [new System.Text.RegularExpressions.Regex("abc")], "sha256", "silent");
        processor.Process(batch, new bool[1]);
        var attributes = Attributes(batch, batch.Spans[0].Attributes);
        Assert.Equal(4, attributes.Count);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", attributes["session"]);
    }
}

public class FilterProcessorTests
{
    private static SpanBatch Batch()
    {
        var batch = new SpanBatch();
        var service = batch.Attributes.Add(new KeyValue(batch.AddString("service.name"), AnyValue.FromString(batch.AddString("api"))));
        var resource = batch.Resources.Add(new ResourceRow { Attributes = new RowRange(service, 1) });
        var scope = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource });
        (string Name, SpanKind Kind, string Url, long Status)[] spans =
        [
            ("GET /health", SpanKind.Server, "http://api/health", 200),
            ("GET /orders", SpanKind.Server, "http://api/orders", 200),
            ("SELECT", SpanKind.Client, "", 0),
            ("GET /orders", SpanKind.Server, "http://api/orders", 500),
        ];
        for (var i = 0; i < spans.Length; i++)
        {
            var first = batch.Attributes.Add(new KeyValue(batch.AddString("http.url"), AnyValue.FromString(batch.AddString(spans[i].Url))));
            batch.Attributes.Add(new KeyValue(batch.AddString("http.status_code"), AnyValue.FromInt(spans[i].Status)));
            batch.Spans.Add(new SpanRow { TraceId = new TraceId(1, (ulong)i + 1), SpanId = new SpanId((ulong)i + 1), ScopeIndex = scope, Name = batch.AddString(spans[i].Name), Kind = spans[i].Kind, Attributes = new RowRange(first, 2) });
        }

        return batch;
    }

    private static bool[] Run(Dictionary<object, object?> spans)
    {
        var errors = new List<string>();
        var processors = new Dictionary<string, Dictionary<object, object?>?> { ["filter"] = new() { ["spans"] = spans } };
        var service = new ServiceOptions { Pipelines = new() { ["traces"] = new() { Receivers = ["otlp"], Processors = ["filter"], Exporters = ["storage"] } } };
        var pipeline = Assert.Single(PipelineBuilder.Build(processors, service, errors));
        Assert.Empty(errors);
        var batch = Batch();
        pipeline.Process(batch);
        var kept = new bool[4];
        foreach (ref readonly var span in batch.Spans.Rows)
        {
            kept[span.SpanId.Value - 1] = true;
        }

        return kept;
    }

    [Fact]
    public void Exclude_Regexp_DropsHealthChecks()
    {
        var kept = Run(new() { ["exclude"] = new Dictionary<object, object> { ["match_type"] = "regexp", ["attributes"] = new List<object> { new Dictionary<object, object> { ["key"] = "http.url", ["value"] = ".*/health.*" } } } });
        Assert.Equal([false, true, true, true], kept);
    }

    [Fact]
    public void Include_Strict_KeepsOnlyWhatMatchesEveryProperty()
    {
        var kept = Run(new()
        {
            ["include"] = new Dictionary<object, object>
            {
                ["match_type"] = "strict",
                ["services"] = new List<object> { "api" },
                ["span_names"] = new List<object> { "GET /orders" },
                ["span_kinds"] = new List<object> { "SPAN_KIND_SERVER" },
                ["attributes"] = new List<object> { new Dictionary<object, object> { ["key"] = "http.status_code", ["value"] = "500" } },
                ["resources"] = new List<object> { new Dictionary<object, object> { ["key"] = "service.name" } },
            },
        });
        Assert.Equal([false, false, false, true], kept);
    }

    [Fact]
    public void Build_BadFilterSettings_NamePaths()
    {
        var errors = new List<string>();
        var processors = new Dictionary<string, Dictionary<object, object?>?>
        {
            ["filter"] = new() { ["spans"] = new Dictionary<object, object> { ["exclude"] = new Dictionary<object, object> { ["match_type"] = "fuzzy", ["span_kinds"] = new List<object> { "SERVER" }, ["attributes"] = "x" } } },
            ["filter/empty"] = new() { ["spans"] = new Dictionary<object, object>() },
        };
        PipelineBuilder.Build(processors, null, errors);
        Assert.Contains("processors.filter.spans.exclude.match_type: expected strict or regexp, got 'fuzzy'", errors);
        Assert.Contains(errors, e => e.StartsWith("processors.filter.spans.exclude.span_kinds: unknown kind 'SERVER'", StringComparison.Ordinal));
        Assert.Contains("processors.filter.spans.exclude.attributes: expected a list of {key, value}", errors);
        Assert.Contains("processors.filter/empty: expected OTTL conditions under traces.span, or a spans include or exclude block", errors);
    }
}

public class AttributesProcessorTests
{
    private static SpanBatch Batch()
    {
        var batch = new SpanBatch();
        var service = batch.Attributes.Add(new KeyValue(batch.AddString("service.name"), AnyValue.FromString(batch.AddString("api"))));
        var resource = batch.Resources.Add(new ResourceRow { Attributes = new RowRange(service, 1) });
        var scope = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource });
        var first = batch.Attributes.Add(new KeyValue(batch.AddString("http.url"), AnyValue.FromString(batch.AddString("https://shop.example.com/cart"))));
        batch.Attributes.Add(new KeyValue(batch.AddString("db.table"), AnyValue.FromString(batch.AddString("users"))));
        batch.Attributes.Add(new KeyValue(batch.AddString("password"), AnyValue.FromString(batch.AddString("abc"))));
        batch.Attributes.Add(new KeyValue(batch.AddString("retries"), AnyValue.FromString(batch.AddString("3"))));
        batch.Attributes.Add(new KeyValue(batch.AddString("tmp.a"), AnyValue.FromInt(1)));
        batch.Spans.Add(new SpanRow { TraceId = new TraceId(1, 1), SpanId = new SpanId(1), ScopeIndex = scope, Name = batch.AddString("GET /cart"), Attributes = new RowRange(first, 5) });
        return batch;
    }

    private static Dictionary<string, AnyValue> Attributes(SpanBatch batch)
    {
        var result = new Dictionary<string, AnyValue>();
        foreach (ref readonly var kv in batch.AttributesOf(batch.Spans[0].Attributes))
        {
            result[batch.GetString(kv.Key)] = kv.Value;
        }

        return result;
    }

    private static List<object> Actions(params Dictionary<object, object>[] actions) => [.. actions];

    private static SpanPipeline Pipeline(Dictionary<object, object?> settings)
    {
        var errors = new List<string>();
        var processors = new Dictionary<string, Dictionary<object, object?>?> { ["attributes"] = settings };
        var service = new ServiceOptions { Pipelines = new() { ["traces"] = new() { Receivers = ["otlp"], Processors = ["attributes"], Exporters = ["storage"] } } };
        var pipeline = Assert.Single(PipelineBuilder.Build(processors, service, errors));
        Assert.Empty(errors);
        return pipeline;
    }

    [Fact]
    public void Actions_InsertUpdateUpsertDeleteHashExtractConvert_InOrder()
    {
        var pipeline = Pipeline(new()
        {
            ["actions"] = Actions(
                new() { ["key"] = "env", ["value"] = "prod", ["action"] = "insert" },
                new() { ["key"] = "db.table", ["value"] = "x", ["action"] = "insert" },
                new() { ["key"] = "db.table", ["from_attribute"] = "env", ["action"] = "update" },
                new() { ["key"] = "sampled", ["value"] = "true", ["action"] = "upsert" },
                new() { ["key"] = "password", ["action"] = "hash" },
                new() { ["pattern"] = "^tmp\\.", ["action"] = "delete" },
                new() { ["key"] = "http.url", ["pattern"] = "^(?P<scheme>[a-z]+)://(?P<host>[^/]+)(?P<path>/.*)$", ["action"] = "extract" },
                new() { ["key"] = "retries", ["converted_type"] = "int", ["action"] = "convert" }),
        });
        var batch = Batch();
        pipeline.Process(batch);
        var attributes = Attributes(batch);
        Assert.Equal("prod", batch.GetString(attributes["env"].StringRef));
        Assert.Equal("prod", batch.GetString(attributes["db.table"].StringRef));
        Assert.True(attributes["sampled"].Kind == ValueKind.Bool && attributes["sampled"].BoolValue);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", batch.GetString(attributes["password"].StringRef));
        Assert.False(attributes.ContainsKey("tmp.a"));
        Assert.Equal("https", batch.GetString(attributes["scheme"].StringRef));
        Assert.Equal("shop.example.com", batch.GetString(attributes["host"].StringRef));
        Assert.Equal("/cart", batch.GetString(attributes["path"].StringRef));
        Assert.True(attributes["retries"].Kind == ValueKind.Int && attributes["retries"].IntValue == 3);
        Assert.Equal(1L, pipeline.Counters[0].ModifiedSpans);
    }

    [Fact]
    public void Exclude_LeavesMatchingSpansAlone()
    {
        var pipeline = Pipeline(new()
        {
            ["actions"] = Actions(new Dictionary<object, object> { ["key"] = "db.table", ["action"] = "delete" }),
            ["exclude"] = new Dictionary<object, object> { ["match_type"] = "strict", ["services"] = new List<object> { "api" } },
        });
        var batch = Batch();
        pipeline.Process(batch);
        Assert.True(Attributes(batch).ContainsKey("db.table"));
    }

    [Fact]
    public void Build_BadActions_NamePaths()
    {
        var errors = new List<string>();
        var processors = new Dictionary<string, Dictionary<object, object?>?>
        {
            ["attributes"] = new()
            {
                ["actions"] = Actions(
                    new() { ["key"] = "a", ["action"] = "rename" },
                    new() { ["key"] = "a", ["action"] = "insert" },
                    new() { ["action"] = "delete" },
                    new() { ["key"] = "a", ["pattern"] = "(", ["action"] = "extract" },
                    new() { ["key"] = "a", ["converted_type"] = "float", ["action"] = "convert" }),
            },
        };
        PipelineBuilder.Build(processors, null, errors);
        Assert.Contains("processors.attributes.actions[0].action: expected insert, update, upsert, delete, hash, extract or convert, got 'rename'", errors);
        Assert.Contains("processors.attributes.actions[1]: insert needs a key and exactly one of value or from_attribute", errors);
        Assert.Contains("processors.attributes.actions[2]: delete needs a key or a pattern", errors);
        Assert.Contains(errors, e => e.StartsWith("processors.attributes.actions[3].pattern: not a valid regular expression", StringComparison.Ordinal));
        Assert.Contains("processors.attributes.actions[4]: convert needs a key and converted_type int, double or string", errors);
    }
}

public class MemoryLimiterProcessorTests
{
    [Fact]
    public void Admits_RefusesAboveTheSoftLimit_AndAdmitsAgainOnceMemoryIsBack()
    {
        long memory = 100 << 20;
        var limiter = new MemoryLimiterProcessor("memory_limiter", 200L << 20, 50L << 20, TimeSpan.FromMilliseconds(1), () => memory);
        Assert.Equal(150L << 20, limiter.SoftLimitBytes);
        Assert.True(limiter.Admits());

        memory = 160L << 20;
        Thread.Sleep(5);
        Assert.False(limiter.Admits());

        // Within the interval the last answer stands, whatever memory does meanwhile.
        var slow = new MemoryLimiterProcessor("memory_limiter", 200L << 20, 50L << 20, TimeSpan.FromMinutes(1), () => memory);
        Assert.False(slow.Admits());
        memory = 10L << 20;
        Assert.False(slow.Admits());

        Thread.Sleep(5);
        Assert.True(limiter.Admits());
    }

    [Fact]
    public void Pipeline_WithALimiterOverItsLimit_SaysWhy()
    {
        var errors = new List<string>();
        var processors = new Dictionary<string, Dictionary<object, object?>?> { ["memory_limiter"] = new() { ["check_interval"] = "1s", ["limit_mib"] = "1", ["spike_limit_mib"] = "0" } };
        var service = new ServiceOptions { Pipelines = new() { ["traces"] = new() { Receivers = ["otlp"], Processors = ["memory_limiter"], Exporters = ["storage"] } } };
        var pipeline = Assert.Single(PipelineBuilder.Build(processors, service, errors));
        Assert.Empty(errors);
        Assert.False(pipeline.Admits(out var reason));
        Assert.StartsWith("memory usage is above the limit of memory_limiter (1 MiB)", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_BadLimits_NamePaths()
    {
        var errors = new List<string>();
        var processors = new Dictionary<string, Dictionary<object, object?>?>
        {
            ["memory_limiter"] = new() { ["check_interval"] = "soon" },
            ["memory_limiter/b"] = new() { ["check_interval"] = "1s", ["limit_mib"] = "100", ["spike_limit_mib"] = "100" },
        };
        PipelineBuilder.Build(processors, null, errors);
        Assert.Contains("processors.memory_limiter.check_interval: expected a duration such as 500ms, 1s or 5m, got 'soon'", errors);
        Assert.Contains("processors.memory_limiter: limit_mib or limit_percentage is required", errors);
        Assert.Contains("processors.memory_limiter/b.spike_limit_mib: must be less than the limit (100 MiB)", errors);
    }
}
