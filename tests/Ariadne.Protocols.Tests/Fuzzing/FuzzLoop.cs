using System.Diagnostics;

namespace Ariadne.Protocols.Tests.Fuzzing;

/// <summary>
/// Runs a decoder over mutated inputs on a thread of its own and fails the test on the first input that
/// lets an exception out (other than the decoder's documented one), allocates more than a bound
/// proportional to its size, or takes longer than a generous per-input limit; a decoder that hangs is
/// caught by the overall budget. The failing input is printed in base64, with the seed that makes it.
/// <see cref="IterationsVariable"/> scales the run (100,000 inputs by default) for a longer campaign.
/// </summary>
internal static class FuzzLoop
{
    public const string IterationsVariable = "ARIADNE_FUZZ_ITERATIONS";

    public const string SeedVariable = "ARIADNE_FUZZ_SEED";

    private static readonly TimeSpan PerInputLimit = TimeSpan.FromSeconds(5);

    public static int Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), out var count) && count > 0 ? count : 100_000;

    public static int Seed(int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var seed) ? seed : fallback;

    /// <summary>
    /// Decodes <see cref="Iterations"/> inputs. <paramref name="decode"/> answers whether the input was
    /// accepted; <paramref name="isDocumentedError"/> says which exceptions are the decoder's own way to refuse.
    /// Returns how many inputs were accepted, so a test can check the mutations still reach deep code.
    /// </summary>
    public static FuzzSummary Run(
        string name,
        Mutator mutator,
        Func<byte[], bool> decode,
        long allocationBase = 4 * 1024 * 1024,
        int allocationPerInputByte = 64,
        Func<Exception, bool>? isDocumentedError = null)
    {
        var iterations = Iterations;
        var budget = TimeSpan.FromSeconds(120 + (iterations / 1000.0));
        var progress = new Progress();
        var worker = Task.Factory.StartNew(
            () => Loop(mutator, decode, iterations, allocationBase, allocationPerInputByte, isDocumentedError, progress),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        if (!worker.Wait(budget))
        {
            throw new Xunit.Sdk.XunitException(
                $"{name}: input {progress.Index} did not finish within the {budget.TotalSeconds:0} s budget: {Show(progress.Current ?? [])}");
        }

        var summary = worker.Result;
        if (summary.Failure is not null)
        {
            throw new Xunit.Sdk.XunitException($"{name}: {summary.Failure}");
        }

        return summary;
    }

    private static FuzzSummary Loop(
        Mutator mutator, Func<byte[], bool> decode, int iterations, long allocationBase, int perByte, Func<Exception, bool>? isDocumentedError, Progress progress)
    {
        var accepted = 0;
        var maxAllocated = 0L;
        var slowest = TimeSpan.Zero;
        var stopwatch = new Stopwatch();
        for (var i = 0; i < iterations; i++)
        {
            var input = mutator.Next();
            progress.Current = input;
            progress.Index = i;
            var before = GC.GetAllocatedBytesForCurrentThread();
            stopwatch.Restart();
            try
            {
                if (decode(input))
                {
                    accepted++;
                }
            }
            catch (Exception e) when (isDocumentedError?.Invoke(e) == true)
            {
            }
            catch (Exception e)
            {
                return new FuzzSummary(iterations, accepted, maxAllocated, slowest,
                    $"input {i} threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}\ninput (base64): {Show(input)}");
            }

            var elapsed = stopwatch.Elapsed;
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            maxAllocated = Math.Max(maxAllocated, allocated);
            slowest = elapsed > slowest ? elapsed : slowest;
            if (allocated > allocationBase + ((long)perByte * input.Length))
            {
                return new FuzzSummary(iterations, accepted, maxAllocated, slowest,
                    $"input {i} of {input.Length} bytes allocated {allocated} bytes: {Show(input)}");
            }

            if (elapsed > PerInputLimit)
            {
                return new FuzzSummary(iterations, accepted, maxAllocated, slowest,
                    $"input {i} of {input.Length} bytes took {elapsed.TotalSeconds:0.0} s: {Show(input)}");
            }
        }

        return new FuzzSummary(iterations, accepted, maxAllocated, slowest, null);
    }

    /// <summary>The input in base64, cut short when long: enough to reproduce it with the seed, not a wall of text.</summary>
    private static string Show(byte[] input) =>
        input.Length <= 1024 ? Convert.ToBase64String(input) : $"{Convert.ToBase64String(input.AsSpan(0, 1024))}… ({input.Length} bytes)";

    private sealed class Progress
    {
        public volatile int Index;

        public volatile byte[]? Current;
    }
}
