namespace Ariadne.Server.Tests.Fuzzing;

/// <summary>
/// The fuzz tests keep a core busy for tens of seconds; run alone, after the parallel tests, they do
/// not slow the throughput and timing tests beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FuzzingCollection
{
    public const string Name = "Fuzzing";
}
