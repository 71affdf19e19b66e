using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Query;

public sealed class FlushTests
{
    [Fact]
    public async Task AdminFlush_CutsTheHeadIntoABlockAndTracesStayReadable()
    {
        await using var server = await LoopbackServer.StartAsync();
        var spans = OtlpRequests.Trace(5);
        using (var posted = await server.PostTracesAsync(OtlpRequests.Protobuf("svc", spans)))
        {
            Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        }

        using var flush = await server.Query.PostAsync(new Uri(server.QueryEndpoint, "/api/admin/flush"), null);
        Assert.Equal(HttpStatusCode.OK, flush.StatusCode);
        using (var body = JsonDocument.Parse(await flush.Content.ReadAsStringAsync()))
        {
            Assert.Equal(5, body.RootElement.GetProperty("spans").GetInt32());
            Assert.Equal(32, body.RootElement.GetProperty("blockId").GetString()!.Length);
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(server.DataDirectory, "single-tenant", "wal"), "*.wal"));
        using var trace = await server.Query.GetAsync(new Uri(server.QueryEndpoint, $"/api/traces/{spans[0].TraceId}"));
        Assert.Equal(HttpStatusCode.OK, trace.StatusCode);
        using (var jaeger = JsonDocument.Parse(await trace.Content.ReadAsStringAsync()))
        {
            Assert.Equal(5, jaeger.RootElement.GetProperty("data")[0].GetProperty("spans").GetArrayLength());
        }

        var metrics = await server.Query.GetStringAsync(new Uri(server.QueryEndpoint, "/metrics"));
        Assert.Contains("ariadne_storage_blocks 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("ariadne_storage_head_spans 0\n", metrics, StringComparison.Ordinal);
        Assert.Matches(@"\nprocess_resident_memory_bytes [1-9][0-9]+\n", metrics);
        Assert.Matches(@"\ndotnet_gc_heap_size_bytes [0-9]+\n", metrics);
        Assert.Matches(@"\ndotnet_gc_collections_total\{generation=""2""\} [0-9]+\n", metrics);
    }

    [Fact]
    public async Task FlushCommand_AgainstARunningServer_PrintsTheNewBlock()
    {
        await using var server = await LoopbackServer.StartAsync();
        using (await server.PostTracesAsync(OtlpRequests.Protobuf("svc", OtlpRequests.Trace(2))))
        {
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ariadne.dll"), "flush", "--server", server.QueryEndpoint.ToString() })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("\"spans\":2", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FsckCommand_OnAStoppedServersData_FindsNoDamage()
    {
        using var directory = new TempDirectory();
        await using (var server = await LoopbackServer.StartAsync(dataDirectory: directory.Path))
        {
            using var posted = await server.PostTracesAsync(OtlpRequests.Protobuf("svc", OtlpRequests.Trace(3)));
            using var flushed = await server.Query.PostAsync(new Uri(server.QueryEndpoint, "/api/admin/flush"), null);
            Assert.Equal(HttpStatusCode.OK, flushed.StatusCode);
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ariadne.dll"), "fsck", "--data-dir", directory.Path })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("1 blocks", output, StringComparison.Ordinal);
        Assert.Contains("no damage found", output, StringComparison.Ordinal);
    }
}
