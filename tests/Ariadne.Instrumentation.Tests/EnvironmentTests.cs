using OpenTelemetry.Exporter;

namespace Ariadne.Instrumentation.Tests;

/// <summary>The OTEL_EXPORTER_OTLP_* variables as the specification defines them, signal-specific ones first.</summary>
public class EnvironmentTests
{
    private static OtlpExporterOptions Apply(Dictionary<string, string> variables)
    {
        var options = new OtlpExporterOptions();
        AriadneTracingExtensions.ConfigureOtlpFromEnvironment(options, name => variables.GetValueOrDefault(name));
        return options;
    }

    [Fact]
    public void GeneralVariables_HttpGetsTheTracesPath()
    {
        var options = Apply(new()
        {
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4318/",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-api-key=abc",
            ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "2500",
        });
        Assert.Equal(OtlpExportProtocol.HttpProtobuf, options.Protocol);
        Assert.Equal(new Uri("http://collector:4318/v1/traces"), options.Endpoint);
        Assert.Equal("x-api-key=abc", options.Headers);
        Assert.Equal(2500, options.TimeoutMilliseconds);
    }

    [Fact]
    public void TracesVariables_WinOverGeneralOnes_AndTheirEndpointIsUsedAsItIs()
    {
        var options = Apply(new()
        {
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] = "grpc",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4318",
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "http://ariadne:4317",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "a=1",
            ["OTEL_EXPORTER_OTLP_TRACES_HEADERS"] = "b=2",
            ["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"] = "900",
        });
        Assert.Equal(OtlpExportProtocol.Grpc, options.Protocol);
        Assert.Equal(new Uri("http://ariadne:4317"), options.Endpoint);
        Assert.Equal("b=2", options.Headers);
        Assert.Equal(900, options.TimeoutMilliseconds);
    }

    [Fact]
    public void NothingSet_LeavesTheDefaults()
    {
        var defaults = new OtlpExporterOptions();
        var options = Apply([]);
        Assert.Equal(defaults.Protocol, options.Protocol);
        Assert.Equal(defaults.Endpoint, options.Endpoint);
        Assert.Equal(defaults.TimeoutMilliseconds, options.TimeoutMilliseconds);
    }

    [Theory]
    [InlineData("always_on", null, "AlwaysOnSampler")]
    [InlineData("always_off", null, "AlwaysOffSampler")]
    [InlineData("traceidratio", "0.25", "TraceIdRatioBasedSampler{0.250000}")]
    [InlineData("parentbased_always_on", null, "ParentBased{AlwaysOnSampler}")]
    [InlineData("parentbased_always_off", null, "ParentBased{AlwaysOffSampler}")]
    [InlineData("parentbased_traceidratio", "0.1", "ParentBased{TraceIdRatioBasedSampler{0.100000}}")]
    [InlineData("parentbased_traceidratio", "7", "ParentBased{TraceIdRatioBasedSampler{1.000000}}")] // out of range: 1
    [InlineData(null, null, "ParentBased{AlwaysOnSampler}")]
    public void Sampler_FromOtelTracesSampler(string? name, string? argument, string description)
    {
        var variables = new Dictionary<string, string?> { ["OTEL_TRACES_SAMPLER"] = name, ["OTEL_TRACES_SAMPLER_ARG"] = argument };
        Assert.Equal(description, AriadneTracingExtensions.SamplerFromEnvironment(n => variables.GetValueOrDefault(n)).Description);
    }
}
