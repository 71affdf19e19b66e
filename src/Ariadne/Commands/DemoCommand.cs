using System.CommandLine;
using System.Globalization;
using Ariadne.Cli.Demo;

namespace Ariadne.Cli.Commands;

/// <summary><c>ariadne demo</c>: the demo shop, sending its traces to any OTLP/gRPC endpoint.</summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var otlp = new Option<string>("--otlp") { Description = "OTLP/gRPC endpoint to send the shop's traces to.", DefaultValueFactory = _ => "http://localhost:4317" };
        var rate = new Option<double>("--rate") { Description = "Checkouts per second the traffic driver sends.", DefaultValueFactory = _ => 5 };
        var command = new Command("demo", "Run a small instrumented shop (7 services on loopback) with traffic and faults, sending traces over OTLP.");
        command.Options.Add(otlp);
        command.Options.Add(rate);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!Uri.TryCreate(parse.GetValue(otlp), UriKind.Absolute, out var endpoint) || parse.GetValue(rate) is <= 0 or > 1000)
            {
                await Console.Error.WriteLineAsync("ariadne demo: expected --otlp http(s)://host:port and --rate from 0 to 1000");
                return 2;
            }

            await using var shop = await DemoShop.StartAsync(endpoint, parse.GetValue(rate), cancellationToken: cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"demo shop running ({string.Join(", ", DemoShop.Services)}), {parse.GetValue(rate)} checkouts/s to {endpoint}; Ctrl+C stops it"));
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });
        return command;
    }
}
