using BenchmarkDotNet.Running;

namespace Ariadne.Benchmarks;

internal static class Program
{
    // `dotnet run -c Release --project benchmarks/Ariadne.Benchmarks -- --filter '*'` runs them all.
    // `... -- storage-size` prints bytes per span by codec and by column instead;
    // `... -- storage-scale [spans] [traceql]` measures trace by id and scans over a large store
    // (with `traceql`, only trace by id and the TraceQL queries);
    // `... -- ingest-rss [stored spans] [spans/s] [seconds]` drives a server process and samples its RSS;
    // `... -- loadgen-offer [seconds]` measures how many spans `ariadne loadgen` offers per CPU second;
    // `... -- tail-sampling [spans]` measures the tail sampler's throughput and memory per buffered span;
    // `... -- ui-timing [chromium] [spans...]` opens, collapses and scrolls large traces in the web UI.
    private static void Main(string[] args)
    {
        if (args is ["storage-size", ..])
        {
            Storage.StorageSizeReport.Run();
            return;
        }

        if (args is ["storage-scale", ..])
        {
            Storage.StorageScaleReport.Run(
                args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000,
                onlyTraceQL: args is [_, _, "traceql", ..]);
            return;
        }

        if (args is ["ingest-rss", ..])
        {
            Load.IngestRssReport.Run(
                args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000_000,
                args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 100_000,
                args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 60);
            return;
        }

        if (args is ["loadgen-offer", ..])
        {
            Load.LoadgenOfferReport.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20);
            return;
        }

        if (args is ["tail-sampling", ..])
        {
            Sampling.TailSamplingReport.Run(args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2_000_000);
            return;
        }

        if (args is ["ui-timing", ..])
        {
            Ui.UiTimingReport.Run(
                args.Length > 1 ? args[1] : "/usr/bin/chromium",
                args.Length > 2 ? [.. args[2..].Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture))] : [10_000, 100_000]);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
