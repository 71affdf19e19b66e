using System.CommandLine;

namespace Ariadne.Cli.Commands;

/// <summary><c>ariadne flush</c>: ask a running server to cut its head into a block now.</summary>
internal static class FlushCommand
{
    public static Command Create()
    {
        var server = ServerOption.Create();
        var command = new Command("flush", "Write everything in the server's head into a block and truncate its ingest log.");
        command.Options.Add(server);
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
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
