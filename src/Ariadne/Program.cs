using System.CommandLine;
using Ariadne.Cli.Commands;

namespace Ariadne.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("Ariadne: a distributed tracing backend for OpenTelemetry.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(FlushCommand.Create());
        root.Subcommands.Add(FsckCommand.Create());
        root.Subcommands.Add(QueryCommand.Create());
        root.Subcommands.Add(TraceCommand.Create());
        root.Subcommands.Add(ConfigCommand.Create());
        root.Subcommands.Add(LoadgenCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root.Parse(args).Invoke();
    }
}
