using Ariadne.Model;
using Ariadne.Pipeline.Processors;

namespace Ariadne.Pipeline.Tests;

public class OttlFilterTests
{
    private static SpanBatch Batch()
    {
        var batch = new SpanBatch();
        var resourceAttrs = batch.Attributes.Reserve(2);
        batch.Attributes[resourceAttrs] = new KeyValue(batch.AddString("service.name"), AnyValue.FromString(batch.AddString("api")));
        batch.Attributes[resourceAttrs + 1] = new KeyValue(batch.AddString("host.name"), AnyValue.FromString(batch.AddString("web-1")));
        var resource = batch.Resources.Add(new ResourceRow { Attributes = new RowRange(resourceAttrs, 2) });
        var scope = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = batch.AddString("Microsoft.AspNetCore") });
        void Span(string name, SpanKind kind, StatusCode status, string url, long code, bool cached)
        {
            var attrs = batch.Attributes.Reserve(3);
            batch.Attributes[attrs] = new KeyValue(batch.AddString("http.url"), AnyValue.FromString(batch.AddString(url)));
            batch.Attributes[attrs + 1] = new KeyValue(batch.AddString("http.response.status_code"), AnyValue.FromInt(code));
            batch.Attributes[attrs + 2] = new KeyValue(batch.AddString("cache.hit"), AnyValue.FromBool(cached));
            batch.Spans.Add(new SpanRow
            {
                TraceId = new TraceId(1, (ulong)batch.SpanCount + 1),
                SpanId = new SpanId((ulong)batch.SpanCount + 1),
                ScopeIndex = scope,
                Name = batch.AddString(name),
                Kind = kind,
                StatusCode = status,
                Attributes = new RowRange(attrs, 3),
                StartTimeUnixNano = 1_000,
                EndTimeUnixNano = 2_000,
            });
        }

        Span("GET /health", SpanKind.Server, StatusCode.Unset, "http://api/health/live", 200, false);
        Span("GET /orders", SpanKind.Server, StatusCode.Error, "http://api/orders", 503, false);
        Span("SELECT orders", SpanKind.Client, StatusCode.Ok, "", 0, true);
        return batch;
    }

    /// <summary>Which of the three spans the condition drops.</summary>
    private static bool[] Drops(string condition)
    {
        Assert.True(OttlCondition.TryParse(condition, out var parsed, out var error), error);
        var batch = Batch();
        var drop = new bool[batch.SpanCount];
        new FilterProcessor("filter", null, null, [parsed!]).Process(batch, drop);
        return drop;
    }

    [Theory]
    [InlineData("name == \"GET /health\"", true, false, false)]
    [InlineData("IsMatch(attributes[\"http.url\"], \".*/health.*\")", true, false, false)]
    [InlineData("kind == SPAN_KIND_CLIENT", false, false, true)]
    [InlineData("status.code == STATUS_CODE_ERROR", false, true, false)]
    [InlineData("status.code != STATUS_CODE_ERROR and kind == SPAN_KIND_SERVER", true, false, false)]
    [InlineData("attributes[\"http.response.status_code\"] >= 500", false, true, false)]
    [InlineData("attributes[\"http.response.status_code\"] < 300.5 and not (attributes[\"cache.hit\"] == true)", true, false, false)]
    [InlineData("attributes[\"cache.hit\"]", false, false, true)]
    [InlineData("attributes[\"missing\"] == nil and name == \"SELECT orders\"", false, false, true)]
    [InlineData("resource.attributes[\"host.name\"] == \"web-1\" or name == \"x\"", true, true, true)]
    [InlineData("instrumentation_scope.name == \"Microsoft.AspNetCore\" and end_time_unix_nano - 1 > 0", false, false, false)]
    [InlineData("attributes[\"http.url\"] == 200", false, false, false)]
    public void Conditions_OnEveryPathKind(string condition, bool first, bool second, bool third)
    {
        if (condition.Contains(" - ", StringComparison.Ordinal))
        {
            // Arithmetic is not in the subset: it is a parse error, never a silent false.
            Assert.False(OttlCondition.TryParse(condition, out _, out var error));
            Assert.StartsWith("at ", error, StringComparison.Ordinal);
            return;
        }

        Assert.Equal([first, second, third], Drops(condition));
    }

    [Fact]
    public void Configuration_OttlConditionsAndTheirErrors()
    {
        var errors = new List<string>();
        var processors = new Dictionary<string, Dictionary<object, object?>?>
        {
            ["filter/ottl"] = new()
            {
                ["error_mode"] = "ignore",
                ["traces"] = new Dictionary<object, object> { ["span"] = new List<object> { "name == \"GET /health\"", "attributes[\"x\" == 1", "colour == \"red\"" } },
            },
        };
        var service = new ServiceOptions { Pipelines = new() { ["traces"] = new() { Receivers = ["otlp"], Processors = ["filter/ottl"], Exporters = ["storage"] } } };
        PipelineBuilder.Build(processors, service, errors);
        Assert.Equal(2, errors.Count);
        Assert.Equal("processors.filter/ottl.traces.span[1]: at 16: expected ']'", errors[0]);
        Assert.StartsWith("processors.filter/ottl.traces.span[2]: at 1: unknown path 'colour': expected name, kind,", errors[1], StringComparison.Ordinal);
    }
}
