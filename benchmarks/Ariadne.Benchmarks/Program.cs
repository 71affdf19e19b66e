using BenchmarkDotNet.Running;

namespace Ariadne.Benchmarks;

internal static class Program
{
    // `dotnet run -c Release --project benchmarks/Ariadne.Benchmarks -- --filter '*'` runs them all.
    // `... -- storage-size` prints bytes per span by codec and by column instead;
    // `... -- storage-scale [spans]` measures trace by id and scans over a large store.
    private static void Main(string[] args)
    {
        if (args is ["storage-size", ..])
        {
            Storage.StorageSizeReport.Run();
            return;
        }

        if (args is ["storage-scale", ..])
        {
            Storage.StorageScaleReport.Run(args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
