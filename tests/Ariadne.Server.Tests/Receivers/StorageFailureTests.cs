using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ariadne.Server.Tests.Infrastructure;
using Ariadne.Storage.IO;

namespace Ariadne.Server.Tests.Receivers;

/// <summary>When storage cannot make data durable, clients are told to retry: never an OK for lost data.</summary>
public sealed class StorageFailureTests
{
    private const int Unavailable = 14;

    [Fact]
    public async Task Export_WhileFsyncFails_AnswersUnavailableThenRecovers()
    {
        var device = new FaultInjectingDevice(FileSystemDevice.Instance);
        await using var server = await LoopbackServer.StartAsync(configureStorage: o => o.Device = device);
        var before = OtlpRequests.Trace(2);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(server, before)).StatusCode);

        device.FailFsync = true;
        var during = OtlpRequests.Trace(2);
        var http = await PostAsync(server, during);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, http.StatusCode);
        Assert.NotNull(http.Headers.RetryAfter);
        using (var status = JsonDocument.Parse(await http.Content.ReadAsStringAsync()))
        {
            Assert.Equal(Unavailable, status.RootElement.GetProperty("code").GetInt32());
        }

        var grpc = await GrpcCall.ExportAsync(server.GrpcEndpoint, GrpcCall.Frame(OtlpRequests.Protobuf("svc", OtlpRequests.Trace(2))));
        Assert.Equal(Unavailable, grpc.Status);
        using (var missing = await server.Query.GetAsync(new Uri(server.TempoEndpoint, $"/api/traces/{during[0].TraceId}")))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        device.FailFsync = false;
        var after = OtlpRequests.Trace(2);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(server, after)).StatusCode);
        foreach (var trace in new[] { before, after })
        {
            using var found = await server.Query.GetAsync(new Uri(server.TempoEndpoint, $"/api/traces/{trace[0].TraceId}"));
            Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        }
    }

    [Fact]
    public async Task Export_WhenStorageCannotOpen_IsUnavailableAndNotReady()
    {
        using var directory = new TempDirectory();

        // A file where the data directory should be: the store cannot be opened.
        var blocked = Path.Combine(directory.Path, "not-a-directory");
        await File.WriteAllTextAsync(blocked, "x");
        await using var server = await LoopbackServer.StartAsync(dataDirectory: blocked, waitUntilReady: false);

        using var ready = await server.Query.GetAsync(new Uri(server.QueryEndpoint, "/health/ready"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var live = await server.Query.GetAsync(new Uri(server.QueryEndpoint, "/health/live"));
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        var http = await PostAsync(server, OtlpRequests.Trace(1));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, http.StatusCode);
        var grpc = await GrpcCall.ExportAsync(server.GrpcEndpoint, GrpcCall.Frame(OtlpRequests.Protobuf("svc", OtlpRequests.Trace(1))));
        Assert.Equal(Unavailable, grpc.Status);
    }

    private static Task<HttpResponseMessage> PostAsync(LoopbackServer server, IEnumerable<TestSpan> spans) =>
        server.PostTracesAsync(System.Text.Encoding.UTF8.GetBytes(OtlpRequests.Json("svc", spans)), "application/json");
}
