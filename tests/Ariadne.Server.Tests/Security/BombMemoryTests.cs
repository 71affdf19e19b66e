using System.Net;
using System.Net.Http.Headers;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Security;

/// <summary>A gzip body of about a megabyte that inflates to a gigabyte, against a real server process whose peak memory is read from the kernel.</summary>
public sealed class BombMemoryTests
{
    [Fact]
    public async Task GigabyteGzipBomb_IsRefused_AndThePeakMemoryStaysFarBelowIt()
    {
        using var directory = new TempDirectory();
        await using var server = await ServerProcess.StartAsync(directory.Path);
        var bomb = HostileBodyTests.Bomb(1L << 30, "gzip");
        Assert.InRange(bomb.Length, 1, 4 * 1024 * 1024);
        var before = PeakResidentBytes(server.Pid);

        using var client = new HttpClient();
        using var content = new ByteArrayContent(bomb);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("gzip");
        using var response = await client.PostAsync(new Uri(server.HttpEndpoint, "/v1/traces"), content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);

        // The default limit is 64 MB of inflated body; the growth allowed is well under the 1 GB the bomb holds.
        var growth = PeakResidentBytes(server.Pid) - before;
        Assert.True(growth < 300L * 1024 * 1024, $"peak resident memory grew by {growth / (1024 * 1024)} MB");
    }

    private static long PeakResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmHWM in /proc status");
    }
}
