using System.Collections.Concurrent;
using System.Text.Json;
using Ariadne.Model;
using Ariadne.Server.Configuration;
using Ariadne.Server.Query;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Sampling;

/// <summary>
/// Answers SDKs' remote-sampling polls in Jaeger's JSON shape: the configured strategy of the service,
/// and with adaptive sampling on, per-operation probabilities recomputed from the root spans received
/// (a root span reaching Ariadne was kept at the probability handed out, so the operation's true rate is
/// the rate seen divided by it).
/// </summary>
internal sealed class SamplingStrategies
{
    private readonly SamplingOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string Service, string Operation), Operation> _operations = new();
    private long _lastCalculation;

    public SamplingStrategies(AriadneOptions options, TimeProvider time)
    {
        _options = options.Sampling ?? new SamplingOptions();
        _time = time;
        _lastCalculation = time.GetTimestamp();
    }

    public bool Enabled => _options.Adaptive.Enabled;

    /// <summary>Counts the batch's root spans per service and operation (adaptive sampling only).</summary>
    public void Observe(SpanBatch batch)
    {
        if (!_options.Adaptive.Enabled)
        {
            return;
        }

        foreach (ref readonly var span in batch.Spans.Rows)
        {
            if (span.ParentSpanId.IsValid)
            {
                continue;
            }

            var key = (batch.GetString(batch.ServiceNameOf(span)), batch.GetString(span.Name));
            var operation = _operations.GetOrAdd(key, static _ => new Operation());
            Interlocked.Increment(ref operation.RootsSinceCalculation);
        }

        Recalculate(force: false);
    }

    /// <summary>Recomputes adaptive probabilities when the interval has passed (or now, when forced).</summary>
    public void Recalculate(bool force)
    {
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastCalculation);
        var elapsed = _time.GetElapsedTime(last, now);
        if ((!force && elapsed < _options.Adaptive.CalculationInterval) || elapsed <= TimeSpan.Zero
            || Interlocked.CompareExchange(ref _lastCalculation, now, last) != last)
        {
            return;
        }

        var adaptive = _options.Adaptive;
        foreach (var operation in _operations.Values)
        {
            var seen = Interlocked.Exchange(ref operation.RootsSinceCalculation, 0) / elapsed.TotalSeconds;
            var handedOut = operation.Probability;
            if (seen <= 0)
            {
                continue;
            }

            var trueRate = seen / handedOut;
            operation.Probability = Math.Clamp(adaptive.TargetTracesPerSecond / trueRate, adaptive.MinSamplingProbability, 1.0);
        }
    }

    public Task HandleAsync(HttpContext context)
    {
        var service = context.Request.Query["service"].ToString();
        if (service.Length == 0)
        {
            return HttpResponses.WriteTextAsync(context, StatusCodes.Status400BadRequest, "'service' parameter must be provided");
        }

        Recalculate(force: false);
        return HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, writer => Write(writer, service));
    }

    private void Write(Utf8JsonWriter writer, string service)
    {
        SamplingStrategyOptions strategy = _options.DefaultStrategy;
        var operations = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var candidate in _options.ServiceStrategies)
        {
            if (candidate.Service == service)
            {
                strategy = candidate;
                foreach (var operation in candidate.OperationStrategies)
                {
                    operations[operation.Operation] = operation.Param;
                }
            }
        }

        if (_options.Adaptive.Enabled)
        {
            foreach (var ((owner, name), operation) in _operations)
            {
                if (owner == service && !operations.ContainsKey(name))
                {
                    operations[name] = operation.Probability;
                }
            }
        }

        writer.WriteStartObject();
        if (strategy.Type == "ratelimiting")
        {
            writer.WriteString("strategyType", "RATE_LIMITING");
            writer.WriteStartObject("rateLimitingSampling");
            writer.WriteNumber("maxTracesPerSecond", (int)strategy.Param);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteString("strategyType", "PROBABILISTIC");
            writer.WriteStartObject("probabilisticSampling");
            writer.WriteNumber("samplingRate", strategy.Param);
            writer.WriteEndObject();
        }

        if (operations.Count > 0)
        {
            writer.WriteStartObject("operationSampling");
            writer.WriteNumber("defaultSamplingProbability", strategy.Type == "ratelimiting" ? 1.0 : strategy.Param);
            writer.WriteNumber("defaultLowerBoundTracesPerSecond", 0);
            writer.WriteStartArray("perOperationStrategies");
            foreach (var (name, probability) in operations.OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("operation", name);
                writer.WriteStartObject("probabilisticSampling");
                writer.WriteNumber("samplingRate", Math.Round(probability, 6));
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private sealed class Operation
    {
        public long RootsSinceCalculation;

        /// <summary>The probability last handed out (1 until the first calculation).</summary>
        public double Probability = 1.0;
    }
}
