using Ariadne.Model;
using Ariadne.Pipeline.TailSampling;
using YamlDotNet.Serialization;

namespace Ariadne.Pipeline.Tests;

public class TailSamplingTests
{
    private static readonly TraceId SomeTrace = new(0x1234, 0x5678);

    /// <summary>One span of a trace, as a test describes it.</summary>
    private sealed record TestSpan(
        long DurationMs = 10,
        StatusCode Status = StatusCode.Unset,
        string? Key = null,
        object? Value = null,
        string TraceState = "",
        long StartOffsetMs = 0);

    private static List<SpanRef> Trace(params TestSpan[] spans) => TraceWithId(SomeTrace, spans);

    private static List<SpanRef> TraceWithId(TraceId traceId, params TestSpan[] spans)
    {
        var batch = Batch(traceId, spans);
        var refs = new List<SpanRef>(batch.SpanCount);
        for (var i = 0; i < batch.SpanCount; i++)
        {
            refs.Add(new SpanRef(batch, i));
        }

        return refs;
    }

    private static SpanBatch Batch(TraceId traceId, params TestSpan[] spans)
    {
        var batch = new SpanBatch();
        var service = batch.Attributes.Add(new KeyValue(batch.AddString("service.name"), AnyValue.FromString(batch.AddString("api"))));
        var resource = batch.Resources.Add(new ResourceRow { Attributes = new RowRange(service, 1) });
        var scope = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource });
        const ulong Start = 1_700_000_000_000_000_000;
        for (var i = 0; i < spans.Length; i++)
        {
            var span = spans[i];
            var attributes = default(RowRange);
            if (span.Key is not null)
            {
                var value = span.Value switch
                {
                    string text => AnyValue.FromString(batch.AddString(text)),
                    long number => AnyValue.FromInt(number),
                    int number => AnyValue.FromInt(number),
                    double number => AnyValue.FromDouble(number),
                    bool flag => AnyValue.FromBool(flag),
                    _ => AnyValue.Empty,
                };
                attributes = new RowRange(batch.Attributes.Add(new KeyValue(batch.AddString(span.Key), value)), 1);
            }

            var start = Start + ((ulong)span.StartOffsetMs * 1_000_000);
            batch.Spans.Add(new SpanRow
            {
                TraceId = traceId,
                SpanId = new SpanId((ulong)i + 1),
                ScopeIndex = scope,
                Name = batch.AddString("op"),
                StartTimeUnixNano = start,
                EndTimeUnixNano = start + ((ulong)span.DurationMs * 1_000_000),
                StatusCode = span.Status,
                Attributes = attributes,
                TraceState = batch.AddString(span.TraceState),
            });
        }

        return batch;
    }

    private static Dictionary<object, object?> Yaml(string yaml)
    {
        var parsed = (Dictionary<object, object>)new DeserializerBuilder().Build().Deserialize<object>(yaml)!;
        return parsed.ToDictionary(p => p.Key, p => (object?)p.Value);
    }

    private static (TailSampler? Sampler, List<string> Errors) Build(string yaml)
    {
        var errors = new List<string>();
        var processors = new Dictionary<string, Dictionary<object, object?>?> { ["tail_sampling"] = Yaml(yaml) };
        var service = new ServiceOptions { Pipelines = new() { ["traces"] = new() { Receivers = ["otlp"], Processors = ["tail_sampling"], Exporters = ["storage"] } } };
        var pipeline = PipelineBuilder.Build(processors, service, errors).SingleOrDefault();
        return (pipeline?.TailSampling?.Sampler, errors);
    }

    private static TailSampler Sampler(string yaml)
    {
        var (sampler, errors) = Build(yaml);
        Assert.Empty(errors);
        return sampler!;
    }

    private static bool Decide(string policies, List<SpanRef> trace, long second = 100) =>
        Sampler("decision_wait: 1s\npolicies:\n" + policies).Decide(trace[0].Row.TraceId, trace, second);

    [Fact]
    public void SeedExample_ErrorsSlowAndTenPercent_InThreePolicies()
    {
        var sampler = Sampler("""
            decision_wait: 10s
            policies:
              - name: errors
                type: status_code
                status_code: {status_codes: [ERROR]}
              - name: slow-traces
                type: latency
                latency: {threshold_ms: 2000}
              - name: percentage
                type: probabilistic
                probabilistic: {sampling_percentage: 10}
            """);
        Assert.Equal(TimeSpan.FromSeconds(10), sampler.DecisionWait);
        Assert.True(sampler.Decide(new TraceId(0, 1), TraceWithId(new TraceId(0, 1), new TestSpan(), new TestSpan(Status: StatusCode.Error)), 1));
        Assert.True(sampler.Decide(new TraceId(0, 2), TraceWithId(new TraceId(0, 2), new TestSpan(DurationMs: 2500)), 1));

        var kept = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var id = new TraceId((ulong)i * 7919, (ulong)i);
            kept += sampler.Decide(id, TraceWithId(id, new TestSpan(DurationMs: 100)), 1) ? 1 : 0;
        }

        Assert.InRange(kept, 1_800, 2_200);
        var counters = sampler.Counters.ToDictionary(c => c.Policy);
        Assert.Equal(1, counters["errors"].Sampled);
        Assert.Equal(1, counters["slow-traces"].Sampled);
        Assert.Equal(20_002, counters["percentage"].Sampled + counters["percentage"].NotSampled);
        Assert.Equal(kept + 2, sampler.TracesSampled);
    }

    [Fact]
    public void Latency_UsesTheWholeTraceSpan_AndTheUpperThreshold()
    {
        // Two short spans 3 s apart make a 3 s trace.
        var spread = Trace(new TestSpan(DurationMs: 10), new TestSpan(DurationMs: 10, StartOffsetMs: 2_990));
        Assert.True(Decide("  - {name: l, type: latency, latency: {threshold_ms: 3000}}", spread));
        Assert.False(Decide("  - {name: l, type: latency, latency: {threshold_ms: 3001}}", spread));
        Assert.False(Decide("  - {name: l, type: latency, latency: {threshold_ms: 1000, upper_threshold_ms: 2000}}", spread));
        Assert.True(Decide("  - {name: l, type: latency, latency: {threshold_ms: 1000, upper_threshold_ms: 5000}}", spread));
    }

    [Fact]
    public void StatusCode_MatchesAnyListedCode()
    {
        Assert.True(Decide("  - {name: s, type: status_code, status_code: {status_codes: [OK, ERROR]}}", Trace(new TestSpan(Status: StatusCode.Ok))));
        Assert.False(Decide("  - {name: s, type: status_code, status_code: {status_codes: [ERROR]}}", Trace(new TestSpan(Status: StatusCode.Ok), new TestSpan())));
        Assert.True(Decide("  - {name: s, type: status_code, status_code: {status_codes: [UNSET]}}", Trace(new TestSpan())));
    }

    [Fact]
    public void Probabilistic_IsDeterministicPerTraceId_AndChangesWithTheSalt()
    {
        var a = Sampler("policies:\n  - {name: p, type: probabilistic, probabilistic: {sampling_percentage: 50}}");
        var b = Sampler("policies:\n  - {name: p, type: probabilistic, probabilistic: {sampling_percentage: 50}}");
        var salted = Sampler("policies:\n  - {name: p, type: probabilistic, probabilistic: {sampling_percentage: 50, hash_salt: other}}");
        var same = 0;
        var differentWithSalt = 0;
        for (var i = 0; i < 1_000; i++)
        {
            var id = new TraceId((ulong)i, (ulong)i * 31);
            var trace = TraceWithId(id, new TestSpan());
            var first = a.Decide(id, trace, 1);
            same += first == b.Decide(id, trace, 1) ? 1 : 0;
            differentWithSalt += first != salted.Decide(id, trace, 1) ? 1 : 0;
        }

        Assert.Equal(1_000, same);
        Assert.InRange(differentWithSalt, 350, 650);
        Assert.False(Decide("  - {name: p, type: probabilistic, probabilistic: {sampling_percentage: 0}}", Trace(new TestSpan())));
        Assert.True(Decide("  - {name: p, type: probabilistic, probabilistic: {sampling_percentage: 100}}", Trace(new TestSpan())));
    }

    [Fact]
    public void RateLimiting_KeepsSpansUpToTheLimitPerSecond()
    {
        var sampler = Sampler("policies:\n  - {name: r, type: rate_limiting, rate_limiting: {spans_per_second: 5}}");
        var three = Trace(new TestSpan(), new TestSpan(), new TestSpan());
        Assert.True(sampler.Decide(SomeTrace, three, 10));
        Assert.False(sampler.Decide(SomeTrace, three, 10)); // 6 > 5
        Assert.True(sampler.Decide(SomeTrace, Trace(new TestSpan(), new TestSpan()), 10)); // 5
        Assert.True(sampler.Decide(SomeTrace, three, 11)); // a new second
    }

    [Fact]
    public void StringAttribute_ExactRegexAndInverted()
    {
        var trace = Trace(new TestSpan(), new TestSpan(Key: "http.url", Value: "/api/health/live"));
        Assert.True(Decide("  - {name: s, type: string_attribute, string_attribute: {key: http.url, values: [/api/health/live]}}", trace));
        Assert.False(Decide("  - {name: s, type: string_attribute, string_attribute: {key: http.url, values: [/api/health]}}", trace));
        Assert.True(Decide("  - {name: s, type: string_attribute, string_attribute: {key: http.url, values: ['.*/health.*'], enabled_regex_matching: true}}", trace));
        Assert.False(Decide("  - {name: s, type: string_attribute, string_attribute: {key: http.url, values: [health], enabled_regex_matching: true}}", trace));

        // Inverted: a match is never sampled, even when another policy would sample.
        Assert.False(Decide(
            "  - {name: s, type: string_attribute, string_attribute: {key: http.url, values: ['.*/health.*'], enabled_regex_matching: true, invert_match: true}}\n  - {name: all, type: always_sample}",
            trace));
        Assert.True(Decide(
            "  - {name: s, type: string_attribute, string_attribute: {key: http.url, values: ['.*/orders.*'], enabled_regex_matching: true, invert_match: true}}",
            trace));

        // Resource attributes count too.
        Assert.True(Decide("  - {name: s, type: string_attribute, string_attribute: {key: service.name, values: [api]}}", Trace(new TestSpan())));
    }

    [Fact]
    public void NumericAndBooleanAttributes()
    {
        var trace = Trace(new TestSpan(Key: "http.response.status_code", Value: 503L), new TestSpan(Key: "cache.hit", Value: true));
        Assert.True(Decide("  - {name: n, type: numeric_attribute, numeric_attribute: {key: http.response.status_code, min_value: 500, max_value: 599}}", trace));
        Assert.False(Decide("  - {name: n, type: numeric_attribute, numeric_attribute: {key: http.response.status_code, min_value: 400, max_value: 499}}", trace));
        Assert.False(Decide("  - {name: n, type: numeric_attribute, numeric_attribute: {key: http.response.status_code, min_value: 500, max_value: 599, invert_match: true}}", trace));
        Assert.True(Decide("  - {name: b, type: boolean_attribute, boolean_attribute: {key: cache.hit, value: true}}", trace));
        Assert.False(Decide("  - {name: b, type: boolean_attribute, boolean_attribute: {key: cache.hit, value: false}}", trace));
        Assert.False(Decide("  - {name: b, type: boolean_attribute, boolean_attribute: {key: cache.miss, value: true}}", trace));
    }

    [Fact]
    public void SpanCountAndTraceState()
    {
        var trace = Trace(new TestSpan(TraceState: "vendor=x,ariadne=keep"), new TestSpan(), new TestSpan());
        Assert.True(Decide("  - {name: c, type: span_count, span_count: {min_spans: 3}}", trace));
        Assert.False(Decide("  - {name: c, type: span_count, span_count: {min_spans: 4}}", trace));
        Assert.False(Decide("  - {name: c, type: span_count, span_count: {min_spans: 1, max_spans: 2}}", trace));
        Assert.True(Decide("  - {name: t, type: trace_state, trace_state: {key: ariadne, values: [keep]}}", trace));
        Assert.False(Decide("  - {name: t, type: trace_state, trace_state: {key: vendor, values: [keep]}}", trace));
    }

    [Fact]
    public void AndDropAndComposite()
    {
        const string And = """
              - name: slow-errors
                type: and
                and:
                  and_sub_policy:
                    - {name: e, type: status_code, status_code: {status_codes: [ERROR]}}
                    - {name: l, type: latency, latency: {threshold_ms: 1000}}
            """;
        Assert.True(Decide(And, Trace(new TestSpan(DurationMs: 1500, Status: StatusCode.Error))));
        Assert.False(Decide(And, Trace(new TestSpan(DurationMs: 500, Status: StatusCode.Error))));

        const string Drop = """
              - {name: all, type: always_sample}
              - name: no-health
                type: drop
                drop:
                  drop_sub_policy:
                    - {name: h, type: string_attribute, string_attribute: {key: url.path, values: [/health]}}
            """;
        Assert.False(Decide(Drop, Trace(new TestSpan(Key: "url.path", Value: "/health"))));
        Assert.True(Decide(Drop, Trace(new TestSpan(Key: "url.path", Value: "/orders"))));

        var composite = Sampler("""
            policies:
              - name: budget
                type: composite
                composite:
                  max_total_spans_per_second: 10
                  policy_order: [errors, rest]
                  composite_sub_policy:
                    - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}
                    - {name: rest, type: always_sample}
                  rate_allocation:
                    - {policy: errors, percent: 60}
                    - {policy: rest, percent: 40}
            """);
        var error = Trace(new TestSpan(Status: StatusCode.Error), new TestSpan(Status: StatusCode.Error));
        var ok = Trace(new TestSpan(), new TestSpan());
        Assert.True(composite.Decide(SomeTrace, error, 5)); // errors: 2 of 6
        Assert.True(composite.Decide(SomeTrace, error, 5)); // 4 of 6
        Assert.True(composite.Decide(SomeTrace, error, 5)); // 6 of 6
        Assert.True(composite.Decide(SomeTrace, error, 5)); // errors full: rest takes it, 2 of 4
        Assert.True(composite.Decide(SomeTrace, ok, 5)); // 4 of 4
        Assert.False(composite.Decide(SomeTrace, ok, 5)); // everything spent this second
        Assert.True(composite.Decide(SomeTrace, ok, 6));
    }

    [Fact]
    public void DecisionCache_RemembersBothOutcomes_Bounded()
    {
        var sampler = Sampler("""
            policies: [{name: e, type: status_code, status_code: {status_codes: [ERROR]}}]
            decision_cache: {sampled_cache_size: 2, non_sampled_cache_size: 2}
            """);
        sampler.Decide(new TraceId(0, 1), Trace(new TestSpan(Status: StatusCode.Error)), 1);
        sampler.Decide(new TraceId(0, 2), Trace(new TestSpan()), 1);
        Assert.True(sampler.TryGetDecision(new TraceId(0, 1), out var sampled) && sampled);
        Assert.True(sampler.TryGetDecision(new TraceId(0, 2), out sampled) && !sampled);
        Assert.False(sampler.TryGetDecision(new TraceId(0, 3), out _));

        sampler.Remember(new TraceId(0, 4), true);
        sampler.Remember(new TraceId(0, 5), true);
        Assert.False(sampler.TryGetDecision(new TraceId(0, 1), out _)); // the oldest made room
    }

    [Fact]
    public void Pipeline_SplitsAtTailSampling_ProcessorsAfterItRunOnKeptTraces()
    {
        var errors = new List<string>();
        var processors = new Dictionary<string, Dictionary<object, object?>?>
        {
            ["span_limits"] = Yaml("max_attribute_value_length: 2"),
            ["tail_sampling"] = Yaml("policies: [{name: all, type: always_sample}]"),
            ["probabilistic_sampler"] = Yaml("sampling_percentage: 0"),
        };
        var service = new ServiceOptions { Pipelines = new() { ["traces"] = new() { Receivers = ["otlp"], Processors = ["span_limits", "tail_sampling", "probabilistic_sampler"], Exporters = ["storage"] } } };
        var pipeline = Assert.Single(PipelineBuilder.Build(processors, service, errors));
        Assert.Empty(errors);
        Assert.Equal(["span_limits", "tail_sampling", "probabilistic_sampler"], pipeline.Counters.Select(c => c.Processor));

        var received = Batch(SomeTrace, new TestSpan(Key: "k", Value: "long"));
        Assert.Equal(0, pipeline.Process(received)); // only span_limits: truncated, kept
        Assert.Equal(1, received.SpanCount);
        Assert.Equal(1, pipeline.ProcessSampled(received)); // the sampler after tail_sampling drops it
    }

    [Fact]
    public void InvalidConfiguration_EveryErrorNamesItsPath()
    {
        var (_, errors) = Build("""
            decision_wait: soon
            num_traces: -1
            policies:
              - {name: a, type: always_sample}
              - {name: a, type: latency, latency: {threshold_ms: fast}}
              - {name: c, type: sometimes}
              - {name: d, type: status_code, status_code: {status_codes: [BROKEN]}}
              - {name: e, type: string_attribute, string_attribute: {key: k, values: ['(['], enabled_regex_matching: true}}
              - name: f
                type: composite
                composite:
                  max_total_spans_per_second: 10
                  policy_order: [x]
                  composite_sub_policy: [{name: y, type: always_sample}]
                  rate_allocation: [{policy: y, percent: 120}]
            """);
        Assert.Contains("processors.tail_sampling.decision_wait: expected a duration such as 500ms, 1s or 5m, got 'soon'", errors);
        Assert.Contains("processors.tail_sampling.num_traces: expected a whole number from 1 to 100000000, got '-1'", errors);
        Assert.Contains("processors.tail_sampling.policies[1].name: 'a' is used twice in policies", errors);
        Assert.Contains("processors.tail_sampling.policies[1].latency.threshold_ms: expected a whole number from 0 to 4611686018427387903, got 'fast'", errors);
        Assert.Contains(errors, e => e.StartsWith("processors.tail_sampling.policies[2].type: unknown policy type 'sometimes': expected one of always_sample, latency,", StringComparison.Ordinal));
        Assert.Contains("processors.tail_sampling.policies[3].status_code.status_codes: unknown status code 'BROKEN': expected ERROR, OK or UNSET", errors);
        Assert.Contains(errors, e => e.StartsWith("processors.tail_sampling.policies[4].string_attribute.values: not a valid regular expression", StringComparison.Ordinal));
        Assert.Contains("processors.tail_sampling.policies[5].composite.policy_order: 'x' is not a composite_sub_policy (or is listed twice)", errors);
        Assert.Contains("processors.tail_sampling.policies[5].composite.rate_allocation[0].percent: expected a number from 0 to 100, got '120'", errors);
    }

    [Fact]
    public void OneTailSamplerPerPipeline()
    {
        var errors = new List<string>();
        var processors = new Dictionary<string, Dictionary<object, object?>?> { ["tail_sampling"] = Yaml("policies: [{name: all, type: always_sample}]") };
        var service = new ServiceOptions
        {
            Pipelines = new()
            {
                ["traces"] = new() { Receivers = ["otlp"], Processors = ["tail_sampling"], Exporters = ["storage"] },
                ["traces/b"] = new() { Receivers = ["zipkin"], Processors = ["tail_sampling"], Exporters = ["storage"] },
            },
        };
        PipelineBuilder.Build(processors, service, errors);
        Assert.Equal(["service.pipelines.traces/b.processors: 'tail_sampling' is already in traces; a tail_sampling processor buffers for one pipeline (define another, e.g. tail_sampling/2)"], errors);
    }
}
