namespace Ariadne.Server.Configuration;

/// <summary>
/// <c>sampling</c>: the remote-sampling endpoint SDKs poll (Jaeger's <c>/api/sampling</c> on 5778),
/// with strategies from configuration and, optionally, adaptive per-operation probabilities. Off unless
/// the section is present.
/// </summary>
internal sealed class SamplingOptions
{
    public string Endpoint { get; set; } = "localhost:5778";

    /// <summary>For services without a strategy of their own.</summary>
    public SamplingStrategyOptions DefaultStrategy { get; set; } = new() { Type = "probabilistic", Param = 1.0 };

    public List<ServiceStrategyOptions> ServiceStrategies { get; set; } = [];

    public AdaptiveSamplingOptions Adaptive { get; set; } = new();
}

/// <summary>A strategy: <c>probabilistic</c> (param: probability 0–1) or <c>ratelimiting</c> (param: traces per second).</summary>
internal class SamplingStrategyOptions
{
    public string Type { get; set; } = "probabilistic";

    public double Param { get; set; } = 1.0;
}

/// <summary>One service's strategy, with probabilities for some of its operations.</summary>
internal sealed class ServiceStrategyOptions : SamplingStrategyOptions
{
    public string Service { get; set; } = string.Empty;

    public List<OperationStrategyOptions> OperationStrategies { get; set; } = [];
}

/// <summary>One operation's probability (operation strategies are probabilistic, as in Jaeger).</summary>
internal sealed class OperationStrategyOptions
{
    public string Operation { get; set; } = string.Empty;

    public string Type { get; set; } = "probabilistic";

    public double Param { get; set; } = 1.0;
}

/// <summary>
/// Adaptive sampling (Jaeger's idea): per service and root operation, the probability that brings the
/// traces kept per second to <see cref="TargetTracesPerSecond"/>, from the root spans Ariadne receives.
/// </summary>
internal sealed class AdaptiveSamplingOptions
{
    public bool Enabled { get; set; }

    public double TargetTracesPerSecond { get; set; } = 1.0;

    public double MinSamplingProbability { get; set; } = 0.001;

    /// <summary>How often probabilities are recomputed from the rates seen since.</summary>
    public TimeSpan CalculationInterval { get; set; } = TimeSpan.FromSeconds(60);
}
