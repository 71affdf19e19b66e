using System.Diagnostics;

namespace Ariadne.Server.Tests.Infrastructure;

/// <summary>Runs the built <c>ariadne</c> CLI as a process and captures what it prints.</summary>
internal static class CliProcess
{
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) =>
        RunWithEnvironmentAsync(new Dictionary<string, string>(), args);

    public static async Task<(int ExitCode, string Output, string Error)> RunWithEnvironmentAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ariadne.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
