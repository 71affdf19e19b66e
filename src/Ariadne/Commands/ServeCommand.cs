using System.CommandLine;
using Ariadne.Server.Configuration;
using Ariadne.Server.Hosting;
using Microsoft.Extensions.Hosting;

namespace Ariadne.Cli.Commands;

/// <summary><c>ariadne serve</c>: receivers, storage and query APIs in one process.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config", "-c")
        {
            Description = "YAML configuration shaped like an OpenTelemetry Collector config; every field has a default.",
        };
        var dataDir = new Option<DirectoryInfo?>("--data-dir")
        {
            Description = "Where the ingest log and blocks live (overrides storage.path; default ./data).",
        };
        var demo = new Option<bool>("--demo") { Description = "Also run the demo shop, sending its traces to this server." };
        var command = new Command("serve", "Run Ariadne: OTLP receivers, storage, and the query APIs.");
        command.Options.Add(config);
        command.Options.Add(dataDir);
        command.Options.Add(demo);
        command.SetAction(async (parse, cancellationToken) =>
        {
            AriadneOptions options;
            try
            {
                options = ConfigLoader.Load(parse.GetValue(config)?.FullName);
            }
            catch (ConfigurationException e)
            {
                await Console.Error.WriteLineAsync("ariadne: invalid configuration:");
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }

            if (parse.GetValue(dataDir) is { } directory)
            {
                options.Storage.Path = directory.FullName;
            }

            await using var app = AriadneServer.Build(options, extensions: [new Ariadne.Web.WebUi()]);
            try
            {
                await app.StartAsync(cancellationToken);
                await using var shop = parse.GetValue(demo)
                    ? await Demo.DemoShop.StartAsync(new Uri("http://" + LoopbackOf(options.Receivers.Otlp.Protocols.Grpc.Endpoint)), 5, DemoHeaders(options), cancellationToken)
                    : null;
                await app.WaitForShutdownAsync(cancellationToken);
            }
            catch (IOException e)
            {
                // Typically a port already in use: say which, without a stack trace.
                await Console.Error.WriteLineAsync($"ariadne: cannot listen: {e.Message}");
                return 1;
            }

            return 0;
        });
        return command;
    }

    /// <summary>What the demo shop needs to be let in: the first ingest key, and a tenant when the key names none.</summary>
    private static string? DemoHeaders(AriadneOptions options)
    {
        var key = options.Auth.Ingest.Keys.Count > 0 ? options.Auth.Ingest.Keys[0] : null;
        var headers = key is null ? null : "x-api-key=" + key.Key;
        if (options.MultitenancyEnabled && key?.Tenant is null)
        {
            headers = (headers is null ? string.Empty : headers + ",") + "x-scope-orgid=demo";
        }

        return headers;
    }

    /// <summary>Where this process reaches its own listener: a wildcard host means loopback.</summary>
    private static string LoopbackOf(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        var host = endpoint[..colon];
        return (host is "0.0.0.0" or "::" or "[::]" or "*" or "+" ? "127.0.0.1" : host) + endpoint[colon..];
    }
}
