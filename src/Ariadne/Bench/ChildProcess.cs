using System.Diagnostics;
using System.Reflection;

namespace Ariadne.Cli.Bench;

/// <summary>Starts programs the benchmark measures as separate processes, keeping the last lines they print for error messages.</summary>
internal static class ChildProcess
{
    /// <summary>This same <c>ariadne</c> executable: the apphost, or <c>dotnet ariadne.dll</c> when run through <c>dotnet</c>.</summary>
    public static ProcessStartInfo Ariadne(params string[] args)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host);
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }

    /// <summary>Starts the process with its output captured into <paramref name="tail"/> (the last 50 lines).</summary>
    public static Process Start(ProcessStartInfo start, Queue<string> tail)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        DataReceivedEventHandler keep = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (tail)
            {
                tail.Enqueue(e.Data);
                if (tail.Count > 50)
                {
                    tail.Dequeue();
                }
            }
        };
        process.OutputDataReceived += keep;
        process.ErrorDataReceived += keep;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static string Tail(Queue<string> tail)
    {
        lock (tail)
        {
            return string.Join(Environment.NewLine, tail);
        }
    }

    public static async Task StopAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
        }

        process.Dispose();
    }
}
