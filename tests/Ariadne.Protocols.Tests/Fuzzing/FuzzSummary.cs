namespace Ariadne.Protocols.Tests.Fuzzing;

/// <summary>What a fuzz run saw: inputs tried and accepted, the most one input allocated, the slowest input, and the first failure.</summary>
internal sealed record FuzzSummary(int Inputs, int Accepted, long MaxAllocatedBytes, TimeSpan Slowest, string? Failure);
