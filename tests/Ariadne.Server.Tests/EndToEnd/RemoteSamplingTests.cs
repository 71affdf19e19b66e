using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Ariadne.Instrumentation;
using Ariadne.Server.Configuration;
using Ariadne.Server.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace Ariadne.Server.Tests.EndToEnd;

/// <summary>Ariadne's remote-sampling endpoint (Jaeger's shape) and Ariadne.Instrumentation's RemoteSampler polling it.</summary>
public sealed class RemoteSamplingTests
{
    private const string Yaml = """
        sampling:
          endpoint: 127.0.0.1:{port}
          default_strategy: {type: probabilistic, param: 0.25}
          service_strategies:
            - service: payments
              type: probabilistic
              param: 1.0
              operation_strategies:
                - {operation: GET /health, type: probabilistic, param: 0.0}
            - {service: batch, type: ratelimiting, param: 5}
          adaptive:
            enabled: true
            target_traces_per_second: 10
            calculation_interval: 1s
        """;

    private static async Task<(LoopbackServer Server, Uri Sampling)> StartAsync()
    {
        var port = FreePorts.Take(1)[0];
        var parsed = ConfigLoader.Parse(Yaml.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), "ariadne.yaml");
        var server = await LoopbackServer.StartAsync(configure: o => o.Sampling = parsed.Sampling);
        return (server, new Uri($"http://127.0.0.1:{port}"));
    }

    private static async Task<JsonElement> StrategyAsync(HttpClient client, Uri sampling, string service)
    {
        var text = await client.GetStringAsync(new Uri(sampling, "/api/sampling?service=" + Uri.EscapeDataString(service)));
        return JsonDocument.Parse(text).RootElement;
    }

    [Fact]
    public async Task Strategies_FromConfiguration_InJaegersShape()
    {
        var (server, sampling) = await StartAsync();
        await using (server)
        {
            var payments = await StrategyAsync(server.Query, sampling, "payments");
            Assert.Equal("PROBABILISTIC", payments.GetProperty("strategyType").GetString());
            Assert.Equal(1.0, payments.GetProperty("probabilisticSampling").GetProperty("samplingRate").GetDouble());
            var operations = payments.GetProperty("operationSampling");
            Assert.Equal(1.0, operations.GetProperty("defaultSamplingProbability").GetDouble());
            var health = Assert.Single(operations.GetProperty("perOperationStrategies").EnumerateArray());
            Assert.Equal("GET /health", health.GetProperty("operation").GetString());
            Assert.Equal(0.0, health.GetProperty("probabilisticSampling").GetProperty("samplingRate").GetDouble());

            var other = await StrategyAsync(server.Query, sampling, "anything");
            Assert.Equal(0.25, other.GetProperty("probabilisticSampling").GetProperty("samplingRate").GetDouble());
            Assert.False(other.TryGetProperty("operationSampling", out _));

            var batch = await StrategyAsync(server.Query, sampling, "batch");
            Assert.Equal("RATE_LIMITING", batch.GetProperty("strategyType").GetString());
            Assert.Equal(5, batch.GetProperty("rateLimitingSampling").GetProperty("maxTracesPerSecond").GetInt32());

            using var missing = await server.Query.GetAsync(new Uri(sampling, "/api/sampling"));
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
            using var legacy = await server.Query.GetAsync(new Uri(sampling, "/sampling?service=payments"));
            Assert.Equal(HttpStatusCode.OK, legacy.StatusCode);
        }
    }

    [Fact]
    public async Task Adaptive_LowersTheProbabilityOfABusyOperation_NotOfAQuietOne()
    {
        var (server, sampling) = await StartAsync();
        await using (server)
        {
            var started = Stopwatch.StartNew();
            var hot = Enumerable.Range(0, 2000).Select(_ => OtlpRequests.Trace(1)[0] with { Name = "GET /hot" });
            var cold = Enumerable.Range(0, 3).Select(_ => OtlpRequests.Trace(1)[0] with { Name = "GET /cold" });
            using (var response = await server.PostTracesAsync(OtlpRequests.Protobuf("shop", [.. hot, .. cold])))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            await Task.Delay(TimeSpan.FromSeconds(1.2) - started.Elapsed > TimeSpan.Zero ? TimeSpan.FromSeconds(1.2) - started.Elapsed : TimeSpan.Zero);
            var shop = await StrategyAsync(server.Query, sampling, "shop");
            var probabilities = shop.GetProperty("operationSampling").GetProperty("perOperationStrategies").EnumerateArray()
                .ToDictionary(o => o.GetProperty("operation").GetString()!, o => o.GetProperty("probabilisticSampling").GetProperty("samplingRate").GetDouble());

            // 2,000 roots in about a second against a target of 10 per second: well under 5 %.
            Assert.InRange(probabilities["GET /hot"], 0.001, 0.05);
            Assert.Equal(1.0, probabilities["GET /cold"]);
        }
    }

    [Fact]
    public async Task RemoteSampler_AppliesTheServedStrategy_PerOperation()
    {
        var (server, sampling) = await StartAsync();
        await using (server)
        {
            using var sampler = new RemoteSampler(sampling, "payments", TimeSpan.FromHours(1), initialProbability: 0);
            Assert.True(await sampler.PollAsync());
            SamplingDecision Decide(string name) => sampler.ShouldSample(new SamplingParameters(
                default, ActivityTraceId.CreateRandom(), name, ActivityKind.Server)).Decision;

            Assert.Equal(SamplingDecision.Drop, Decide("GET /health"));
            Assert.Equal(SamplingDecision.RecordAndSample, Decide("POST /pay"));

            using var batch = new RemoteSampler(sampling, "batch", TimeSpan.FromHours(1), initialProbability: 0);
            Assert.True(await batch.PollAsync());
            var kept = Enumerable.Range(0, 50).Count(_ => batch.ShouldSample(new SamplingParameters(default, ActivityTraceId.CreateRandom(), "job", ActivityKind.Internal)).Decision == SamplingDecision.RecordAndSample);
            Assert.InRange(kept, 5, 6); // the rate limit: 5 per second
        }

        // The endpoint gone: the last strategy stays in force.
        using var orphan = new RemoteSampler(sampling, "payments", TimeSpan.FromHours(1), initialProbability: 1);
        Assert.False(await orphan.PollAsync());
        Assert.Equal(SamplingDecision.RecordAndSample, orphan.ShouldSample(new SamplingParameters(default, ActivityTraceId.CreateRandom(), "x", ActivityKind.Server)).Decision);
    }

    [Fact]
    public void InvalidSamplingSection_NamesThePaths()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse("""
            sampling:
              endpoint: nowhere
              default_strategy: {type: sometimes, param: 1}
              service_strategies:
                - {service: "", type: probabilistic, param: 2}
              adaptive: {target_traces_per_second: 0}
            """, "ariadne.yaml"));
        Assert.Contains("sampling.endpoint: expected host:port", error.Message, StringComparison.Ordinal);
        Assert.Contains("sampling.default_strategy.type: expected probabilistic or ratelimiting, got 'sometimes'", error.Message, StringComparison.Ordinal);
        Assert.Contains("sampling.service_strategies[0].service: expected a service name", error.Message, StringComparison.Ordinal);
        Assert.Contains("sampling.service_strategies[0].param: a probability is from 0 to 1, got 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("sampling.adaptive.target_traces_per_second: expected a positive number", error.Message, StringComparison.Ordinal);
    }
}
