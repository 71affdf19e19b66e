using System.CommandLine;
using Ariadne.Server.Configuration;

namespace Ariadne.Cli.Commands;

/// <summary><c>ariadne config validate FILE</c> and <c>ariadne config print [--config FILE]</c>.</summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var command = new Command("config", "Check a configuration file, or print the effective configuration.");

        var file = new Argument<FileInfo>("file") { Description = "The YAML configuration to check." };
        var validate = new Command("validate", "Check a configuration file as 'serve' would, without starting: every error with its path, exit status 2 if any.");
        validate.Arguments.Add(file);
        validate.SetAction(async parse =>
        {
            var path = parse.GetValue(file)!.FullName;
            if (!TryLoad(path, out _, out var error))
            {
                await Console.Error.WriteLineAsync("ariadne: invalid configuration:");
                await Console.Error.WriteLineAsync(error);
                return 2;
            }

            Console.WriteLine($"{parse.GetValue(file)!.Name}: valid");
            return 0;
        });

        var config = new Option<FileInfo?>("--config", "-c") { Description = "The YAML configuration (default: none, every default)." };
        var print = new Command("print", "Print the effective configuration, defaults filled in and secrets masked.");
        print.Options.Add(config);
        print.SetAction(async parse =>
        {
            if (!TryLoad(parse.GetValue(config)?.FullName, out var options, out var error))
            {
                await Console.Error.WriteLineAsync("ariadne: invalid configuration:");
                await Console.Error.WriteLineAsync(error);
                return 2;
            }

            Console.Write(ConfigPrinter.Print(options!));
            return 0;
        });

        command.Subcommands.Add(validate);
        command.Subcommands.Add(print);
        return command;
    }

    private static bool TryLoad(string? path, out AriadneOptions? options, out string error)
    {
        try
        {
            options = ConfigLoader.Load(path);
            error = string.Empty;
            return true;
        }
        catch (ConfigurationException e)
        {
            options = null;
            error = e.Message;
            return false;
        }
    }
}
