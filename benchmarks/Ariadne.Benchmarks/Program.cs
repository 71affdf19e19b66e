using BenchmarkDotNet.Running;

namespace Ariadne.Benchmarks;

internal static class Program
{
    // `dotnet run -c Release --project benchmarks/Ariadne.Benchmarks -- --filter '*'` runs them all.
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
