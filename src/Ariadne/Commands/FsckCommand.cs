using System.CommandLine;
using Ariadne.Storage;

namespace Ariadne.Cli.Commands;

/// <summary><c>ariadne fsck</c>: verify every checksum in a data directory, optionally quarantining damage.</summary>
internal static class FsckCommand
{
    public static Command Create()
    {
        var dataDir = new Option<DirectoryInfo>("--data-dir")
        {
            Description = "The data directory to check (the server must not be running on it).",
            DefaultValueFactory = _ => new DirectoryInfo("./data"),
        };
        var repair = new Option<bool>("--repair")
        {
            Description = "Quarantine damaged blocks and truncate torn ingest-log tails.",
        };
        var command = new Command("fsck", "Verify the checksums and structure of every log record and block page.");
        command.Options.Add(dataDir);
        command.Options.Add(repair);
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(dataDir)!;
            if (!directory.Exists)
            {
                Console.Error.WriteLine($"ariadne: no data directory at {directory.FullName}");
                return 2;
            }

            var report = StorageChecker.Check(directory.FullName, parse.GetValue(repair));
            Console.WriteLine($"checked {report.Tenants} tenant(s): {report.RecordsChecked} log records, {report.BlocksChecked} blocks, {report.PagesChecked} pages");
            foreach (var problem in report.Problems)
            {
                Console.WriteLine($"damaged: {problem}");
            }

            foreach (var done in report.Repairs)
            {
                Console.WriteLine($"repaired: {done}");
            }

            Console.WriteLine(report.Clean ? "no damage found" : $"{report.Problems.Count} problem(s) found");
            return report.Clean ? 0 : 1;
        });
        return command;
    }
}
