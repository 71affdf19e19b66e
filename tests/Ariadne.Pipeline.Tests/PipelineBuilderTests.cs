using Ariadne.Model;

namespace Ariadne.Pipeline.Tests;

public class PipelineBuilderTests
{
    [Fact]
    public void Build_NoServiceSection_GivesOneTracesPipelineWithSpanLimits()
    {
        var errors = new List<string>();
        var pipeline = Assert.Single(PipelineBuilder.Build(null, null, errors));
        Assert.Empty(errors);
        Assert.Equal("traces", pipeline.Id);
        Assert.Equal(["otlp", "zipkin"], pipeline.Receivers);
        Assert.Equal("span_limits", Assert.Single(pipeline.Counters).Processor);
    }

    [Fact]
    public void Build_InvalidSections_ListEveryErrorWithItsPath()
    {
        var processors = new Dictionary<string, Dictionary<object, object?>?>
        {
            ["probabilistic_sampler"] = new() { ["sampling_percentage"] = "150", ["hash_sed"] = "1" },
            ["span_limits/strict"] = new() { ["max_attribute_value_length"] = "zero" },
            ["batchx"] = null,
        };
        var service = new ServiceOptions
        {
            Pipelines = new()
            {
                ["traces"] = new() { Receivers = ["otlp", "kafka"], Processors = ["probabilistic_sampler", "attributes"], Exporters = ["storage"] },
                ["traces/second"] = new() { Receivers = ["otlp"], Exporters = ["otlp"] },
                ["metrics"] = new() { Receivers = ["otlp"], Exporters = ["storage"] },
            },
        };
        var errors = new List<string>();
        PipelineBuilder.Build(processors, service, errors);
        Assert.Equal(
        [
            "processors.probabilistic_sampler: unknown key 'hash_sed': expected one of sampling_percentage, hash_seed, mode",
            "processors.probabilistic_sampler.sampling_percentage: expected a number from 0 to 100, got '150'",
            "processors.span_limits/strict.max_attribute_value_length: expected a whole number from 1 to 16777216, got 'zero'",
            "processors.batchx: unknown processor type 'batchx': expected one of memory_limiter, span_limits, probabilistic_sampler, redaction, filter, attributes, tail_sampling, batch",
            "service.pipelines.traces.receivers: unknown receiver 'kafka': expected one of otlp, zipkin",
            "service.pipelines.traces.processors: 'attributes' is not defined under processors",
            "service.pipelines.traces/second.receivers: 'otlp' is already in traces; a receiver feeds one pipeline",
            "service.pipelines.traces/second.exporters: 'otlp' is not defined under exporters (storage needs no definition)",
            "service.pipelines.metrics: Ariadne runs traces pipelines: name it traces or traces/<name>",
        ], errors);
    }

    [Fact]
    public void Process_DroppedSpans_AreRemovedAndCountedForTheProcessorThatDroppedThem()
    {
        var processors = new Dictionary<string, Dictionary<object, object?>?>
        {
            ["span_limits"] = new() { ["max_attribute_value_length"] = "2" },
            ["probabilistic_sampler"] = new() { ["sampling_percentage"] = "0" },
        };
        var service = new ServiceOptions { Pipelines = new() { ["traces"] = new() { Receivers = ["otlp"], Processors = ["span_limits", "probabilistic_sampler"], Exporters = ["storage"] } } };
        var errors = new List<string>();
        var pipeline = Assert.Single(PipelineBuilder.Build(processors, service, errors));
        Assert.Empty(errors);

        var batch = new SpanBatch();
        var attribute = batch.Attributes.Add(new KeyValue(batch.AddString("k"), AnyValue.FromString(batch.AddString("long value"))));
        batch.Spans.Add(new SpanRow { TraceId = new TraceId(1, 1), SpanId = new SpanId(1), Attributes = new RowRange(attribute, 1) });
        batch.Spans.Add(new SpanRow { TraceId = new TraceId(1, 2), SpanId = new SpanId(2) });

        Assert.Equal(2, pipeline.Process(batch));
        Assert.Equal(0, batch.SpanCount);
        Assert.Equal((0L, 1L), (pipeline.Counters[0].DroppedSpans, pipeline.Counters[0].ModifiedSpans));
        Assert.Equal((2L, 0L), (pipeline.Counters[1].DroppedSpans, pipeline.Counters[1].ModifiedSpans));
    }
}

public class RedactionConfigTests
{
    [Fact]
    public void Build_RedactionSettings_AreCheckedWithTheirPaths()
    {
        var processors = new Dictionary<string, Dictionary<object, object?>?>
        {
            ["redaction"] = new()
            {
                ["allow_all_keys"] = "maybe",
                ["blocked_values"] = new List<object> { "ok.*", "(" },
                ["hash_function"] = "md5",
                ["summary"] = "loud",
                ["allowed_keys"] = "not-a-list",
            },
        };
        var errors = new List<string>();
        PipelineBuilder.Build(processors, null, errors);
        Assert.Contains("processors.redaction.summary: expected silent, info or debug, got 'loud'", errors);
        Assert.Contains("processors.redaction.hash_function: expected sha256 or sha512 (md5 and sha1 are broken), got 'md5'", errors);
        Assert.Contains(errors, e => e.StartsWith("processors.redaction.blocked_values[1]: not a valid regular expression", StringComparison.Ordinal));
        Assert.Contains("processors.redaction.allow_all_keys: expected true or false, got 'maybe'", errors);
        Assert.Contains("processors.redaction.allowed_keys: expected a list of strings", errors);
    }
}
