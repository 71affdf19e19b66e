using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Ariadne.Benchmarks.Load;

/// <summary>
/// How many spans the load generator can offer per second of one core, in replay mode:
/// <c>dotnet run -c Release --project benchmarks/Ariadne.Benchmarks -- loadgen-offer [seconds]</c>.
/// A sink on loopback (in this process) reads each request and answers OK at once; <c>ariadne loadgen
/// --rate max</c> runs as its own process, and its sent spans are divided by its own CPU time.
/// </summary>
internal static class LoadgenOfferReport
{
    public static void Run(int seconds)
    {
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenLocalhost(port, l => l.Protocols = HttpProtocols.Http1AndHttp2));
        using var app = builder.Build();
        app.MapPost("/v1/traces", async (HttpContext context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.StatusCode = 200;
        });
        app.StartAsync().GetAwaiter().GetResult();
        try
        {
            foreach (var (profile, spans) in new[] { ("realistic", 1000), ("small", 1000) })
            {
                var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var arg in new[]
                {
                    Path.Combine(AppContext.BaseDirectory, "ariadne.dll"), "loadgen", "--endpoint", $"http://localhost:{port}", "--protocol", "http",
                    "--rate", "max", "--duration", $"{seconds}s", "--workers", "4", "--profile", profile, "--spans-per-request", spans.ToString(CultureInfo.InvariantCulture), "--json",
                })
                {
                    start.ArgumentList.Add(arg);
                }

                using var process = Process.Start(start)!;
                var output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                using var json = JsonDocument.Parse(output);
                var r = json.RootElement;
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{profile}: {r.GetProperty("sent_spans").GetInt64():N0} spans offered in {r.GetProperty("seconds").GetDouble():F1} s = {r.GetProperty("sent_spans").GetInt64() / r.GetProperty("seconds").GetDouble():N0} spans/s; generator CPU {r.GetProperty("cpu_seconds").GetDouble():F1} s = {r.GetProperty("spans_per_cpu_second").GetDouble():N0} spans per CPU second ({Environment.ProcessorCount} cores, the sink on the same machine)"));
            }
        }
        finally
        {
            app.StopAsync().GetAwaiter().GetResult();
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
