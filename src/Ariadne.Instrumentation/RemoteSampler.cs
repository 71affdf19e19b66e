using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry.Trace;

namespace Ariadne.Instrumentation;

/// <summary>
/// A sampler whose strategy comes from a remote-sampling endpoint in Jaeger's JSON shape (Ariadne serves
/// one on <c>:5778/api/sampling</c>): per-operation probabilities, a default probability, or a traces-per-
/// second limit. It polls in the background; until the first answer, and whenever the endpoint cannot be
/// reached, the last strategy (at first <c>initial</c>) stays in force. Wrap it in a
/// <see cref="ParentBasedSampler"/> so child spans follow their parent's decision.
/// </summary>
public sealed class RemoteSampler : Sampler, IDisposable
{
    private readonly Uri _endpoint;
    private readonly HttpClient _client;
    private readonly Timer _timer;
    private readonly ConcurrentDictionary<double, Sampler> _ratios = new();
    private volatile Strategy _strategy;

    /// <summary>Starts polling <paramref name="endpoint"/> (e.g. <c>http://ariadne:5778</c>) for <paramref name="serviceName"/>'s strategy.</summary>
    /// <param name="endpoint">The remote-sampling server.</param>
    /// <param name="serviceName">The service whose strategy to ask for.</param>
    /// <param name="pollingInterval">How often to ask (Jaeger SDKs ask every minute).</param>
    /// <param name="initialProbability">The probability in force until the first answer.</param>
    public RemoteSampler(Uri endpoint, string serviceName, TimeSpan pollingInterval, double initialProbability = 0.001)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        _endpoint = new Uri(endpoint, "/api/sampling?service=" + Uri.EscapeDataString(serviceName));
        _client = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { Timeout = TimeSpan.FromSeconds(10) };
        _strategy = new Strategy(initialProbability, new Dictionary<string, double>(StringComparer.Ordinal), null);
        Description = $"RemoteSampler{{{serviceName}}}";
        _timer = new Timer(_ => _ = PollAsync(), null, TimeSpan.Zero, pollingInterval);
    }

    /// <summary>How many answers have been applied (for operators and tests).</summary>
    public int Updates { get; private set; }

    /// <inheritdoc/>
    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        var strategy = _strategy;
        if (strategy.Limiter is { } limiter)
        {
            return new SamplingResult(limiter.TryTake() ? SamplingDecision.RecordAndSample : SamplingDecision.Drop);
        }

        var probability = strategy.Operations.TryGetValue(samplingParameters.Name, out var forOperation) ? forOperation : strategy.DefaultProbability;
        return _ratios.GetOrAdd(probability, static p => new TraceIdRatioBasedSampler(p)).ShouldSample(samplingParameters);
    }

    /// <summary>Asks the endpoint now and applies its answer; false when it could not be reached or read.</summary>
    /// <returns>Whether a strategy was applied.</returns>
    public async Task<bool> PollAsync()
    {
        try
        {
            using var response = await _client.GetAsync(_endpoint).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return false;
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync().ConfigureAwait(false));
            _strategy = Parse(json.RootElement);
            Updates++;
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return false;
        }
    }

    private static Strategy Parse(JsonElement root)
    {
        var operations = new Dictionary<string, double>(StringComparer.Ordinal);
        var probability = 1.0;
        RateLimiter? limiter = null;
        if (root.TryGetProperty("strategyType", out var type) && type.GetString() == "RATE_LIMITING")
        {
            limiter = new RateLimiter(root.GetProperty("rateLimitingSampling").GetProperty("maxTracesPerSecond").GetDouble());
        }
        else if (root.TryGetProperty("probabilisticSampling", out var probabilistic))
        {
            probability = probabilistic.GetProperty("samplingRate").GetDouble();
        }

        if (root.TryGetProperty("operationSampling", out var perOperation))
        {
            probability = perOperation.GetProperty("defaultSamplingProbability").GetDouble();
            foreach (var operation in perOperation.GetProperty("perOperationStrategies").EnumerateArray())
            {
                operations[operation.GetProperty("operation").GetString()!] = operation.GetProperty("probabilisticSampling").GetProperty("samplingRate").GetDouble();
            }

            // Per-operation probabilities take over from a rate limit, as in Jaeger.
            limiter = null;
        }

        return new Strategy(Math.Clamp(probability, 0, 1), operations, limiter);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _timer.Dispose();
        _client.Dispose();
    }

    private sealed record Strategy(double DefaultProbability, Dictionary<string, double> Operations, RateLimiter? Limiter);

    /// <summary>A token bucket of one second's worth of traces.</summary>
    private sealed class RateLimiter
    {
        private readonly Lock _lock = new();
        private readonly double _perSecond;
        private double _tokens;
        private long _last = Stopwatch.GetTimestamp();

        public RateLimiter(double perSecond)
        {
            _perSecond = perSecond;
            _tokens = perSecond;
        }

        public bool TryTake()
        {
            lock (_lock)
            {
                var now = Stopwatch.GetTimestamp();
                _tokens = Math.Min(_perSecond, _tokens + (Stopwatch.GetElapsedTime(_last, now).TotalSeconds * _perSecond));
                _last = now;
                if (_tokens < 1)
                {
                    return false;
                }

                _tokens--;
                return true;
            }
        }
    }
}
