using System.CommandLine;

namespace Ariadne.Cli.Commands;

/// <summary><c>ariadne flush</c>: ask a running server to cut its head into a block now.</summary>
internal static class FlushCommand
{
    public static Command Create()
    {
        var server = ServerOption.Create();
        var key = ServerOption.CreateKey();
        var tenant = ServerOption.CreateTenant();
        var command = new Command("flush", "Write everything in the server's head into a block and truncate its ingest log.");
        command.Options.Add(server);
        command.Options.Add(key);
        command.Options.Add(tenant);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = ServerOption.CreateClient(parse.GetValue(key), parse.GetValue(tenant), TimeSpan.FromMinutes(5));
            try
            {
                using var response = await client.PostAsync(new Uri(new Uri(parse.GetValue(server)!), "/api/admin/flush"), null, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    await Console.Error.WriteLineAsync($"ariadne: flush failed ({(int)response.StatusCode}): {body.Trim()}");
                    return 1;
                }

                Console.WriteLine(body.Trim());
                return 0;
            }
            catch (HttpRequestException e)
            {
                await Console.Error.WriteLineAsync($"ariadne: cannot reach {parse.GetValue(server)}: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
