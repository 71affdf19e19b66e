using System.Net;
using Ariadne.Server.Tests.Infrastructure;
using OpenTelemetry.Exporter;

namespace Ariadne.Server.Tests.Tenancy;

/// <summary>Tenant A never reads or affects tenant B's data, through any API, the CLI or a key bound to A.</summary>
public sealed class TenantIsolationTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    [Fact]
    public async Task SameTraceIdInTwoTenants_EachReadsOnlyItsOwn_ThroughEveryApiOnBothPorts()
    {
        using var data = new TempDirectory();
        await using (var server = await TenantServer.StartAsync(data.Path))
        {
            await WriteBothAsync(server);
            foreach (var (tenant, mine, other) in new[] { ("a", "alpha", "bravo"), ("b", "bravo", "alpha") })
            {
                var now = DateTimeOffset.UtcNow;
                var window = $"&query.start_time_min={Uri.EscapeDataString(now.AddMinutes(-10).ToString("O"))}&query.start_time_max={Uri.EscapeDataString(now.AddMinutes(1).ToString("O"))}";
                var owned = new[]
                {
                    (server.QueryEndpoint, $"/api/traces/{TraceId}"),
                    (server.QueryEndpoint, $"/api/traces?service={mine}-svc&lookback=1h&limit=20"),
                    (server.QueryEndpoint, "/api/services"),
                    (server.QueryEndpoint, $"/api/services/{mine}-svc/operations"),
                    (server.QueryEndpoint, $"/api/operations?service={mine}-svc"),
                    (server.QueryEndpoint, "/api/v3/services"),
                    (server.QueryEndpoint, $"/api/v3/operations?service={mine}-svc"),
                    (server.QueryEndpoint, $"/api/v3/traces/{TraceId}"),
                    (server.QueryEndpoint, $"/api/v3/traces?query.service_name={mine}-svc{window}"),
                    (server.QueryEndpoint, "/api/search?q=%7B%7D&limit=20"),
                    (server.QueryEndpoint, "/api/search/tag/service.name/values"),
                    (server.QueryEndpoint, "/api/v2/search/tag/resource.service.name/values"),
                    (server.QueryEndpoint, "/api/metrics/query_range?q=" + Uri.EscapeDataString("{ } | count_over_time() by (resource.service.name)") + "&since=1h&step=60s"),
                    (server.QueryEndpoint, $"/api/v1/traces/{TraceId}/analysis"),
                    (server.QueryEndpoint, $"/api/v1/diff?a={TraceId}&b={TraceId}"),
                    (server.TempoEndpoint, $"/api/traces/{TraceId}"),
                    (server.TempoEndpoint, $"/api/v2/traces/{TraceId}"),
                    (server.TempoEndpoint, "/api/search?q=%7B%7D&limit=20"),
                    (server.TempoEndpoint, "/api/v2/search/tag/resource.service.name/values"),
                };
                foreach (var (endpoint, path) in owned)
                {
                    var (status, body) = await TenantServer.GetAsync(server, new Uri(endpoint, path), TenantServer.QueryAny, tenant);
                    Assert.True(status == HttpStatusCode.OK, $"{tenant} {path}: {status} {body}");
                    Assert.True(body.Contains(mine, StringComparison.Ordinal), $"{tenant} {path} lacks its own data: {body}");
                    Assert.False(body.Contains(other, StringComparison.Ordinal), $"{tenant} {path} shows another tenant's data: {body}");
                }

                foreach (var (endpoint, path) in new[]
                {
                    (server.QueryEndpoint, $"/api/traces?service={other}-svc&lookback=1h"),
                    (server.QueryEndpoint, $"/api/services/{other}-svc/operations"),
                    (server.QueryEndpoint, "/api/dependencies"),
                    (server.TempoEndpoint, "/api/search?q=" + Uri.EscapeDataString($"{{ resource.service.name = \"{other}-svc\" }}")),
                    (server.TempoEndpoint, "/api/search/tags"),
                })
                {
                    var (_, body) = await TenantServer.GetAsync(server, new Uri(endpoint, path), TenantServer.QueryAny, tenant);
                    Assert.False(body.Contains(other + "-op", StringComparison.Ordinal) || body.Contains("\"" + other + "-svc\"", StringComparison.Ordinal), $"{tenant} {path}: {body}");
                }

                var (code, output, error) = await CliProcess.RunAsync("trace", TraceId, "--server", server.QueryEndpoint.ToString(), "--key", TenantServer.QueryAny, "--tenant", tenant);
                Assert.True(code == 0, error);
                Assert.Contains(mine + "-op", output, StringComparison.Ordinal);
                Assert.DoesNotContain(other, output, StringComparison.Ordinal);
                (code, output, error) = await CliProcess.RunWithEnvironmentAsync(
                    new Dictionary<string, string> { ["ARIADNE_API_KEY"] = TenantServer.QueryAny, ["ARIADNE_TENANT"] = tenant },
                    "query", "{ }", "--since", "1h", "--server", server.QueryEndpoint.ToString());
                Assert.True(code == 0, error);
                Assert.Contains(mine + "-svc", output, StringComparison.Ordinal);
                Assert.DoesNotContain(other, output, StringComparison.Ordinal);
            }

            // Flushing is per tenant too: a's flush cuts a's three spans, not b's two.
            using var flushA = new HttpRequestMessage(HttpMethod.Post, new Uri(server.QueryEndpoint, "/api/admin/flush"));
            flushA.Headers.TryAddWithoutValidation("x-api-key", TenantServer.QueryA);
            using var flushed = await server.Query.SendAsync(flushA);
            Assert.Contains("\"spans\":3", await flushed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.True(Directory.Exists(Path.Combine(data.Path, "a", "wal")));
            Assert.True(Directory.Exists(Path.Combine(data.Path, "b", "wal")));
        }

        // After a restart each tenant's store is reopened from its own folder.
        await using (var restarted = await TenantServer.StartAsync(data.Path))
        {
            var (status, body) = await TenantServer.GetAsync(restarted, new Uri(restarted.TempoEndpoint, $"/api/v2/traces/{TraceId}"), TenantServer.QueryAny, "b");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("bravo-op", body, StringComparison.Ordinal);
            Assert.DoesNotContain("alpha", body, StringComparison.Ordinal);
            (status, body) = await TenantServer.GetAsync(restarted, new Uri(restarted.TempoEndpoint, $"/api/v2/traces/{TraceId}"), TenantServer.QueryA, null);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Contains("alpha-op", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task KeyBoundToA_CannotWriteOrReadB_ByChangingTheHeader()
    {
        await using var server = await TenantServer.StartAsync();
        await WriteBothAsync(server);

        using (var forged = await TenantServer.PostAsync(server, TenantServer.Trace("0000000000000000000000000000f00d", "mallory-svc", "mallory-op"), TenantServer.IngestA, "b"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        }

        var grpc = await GrpcCall.ExportAsync(server.GrpcEndpoint, GrpcCall.Frame(TenantServer.Trace("0000000000000000000000000000f00d", "mallory-svc", "mallory-op")), metadata: new Dictionary<string, string>
        {
            ["authorization"] = "Bearer " + TenantServer.IngestA,
            ["x-scope-orgid"] = "b",
        });
        Assert.Equal(7, grpc.Status);
        var sdkTrace = SdkExport.OneTrace(server.GrpcEndpoint, OtlpExportProtocol.Grpc, $"x-api-key={TenantServer.IngestA},x-scope-orgid=b", service: "mallory-svc");

        var (status, body) = await TenantServer.GetAsync(server, new Uri(server.QueryEndpoint, "/api/services"), TenantServer.QueryAny, "b");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain("mallory", body, StringComparison.Ordinal);
        (status, _) = await TenantServer.GetAsync(server, new Uri(server.TempoEndpoint, $"/api/v2/traces/{sdkTrace}"), TenantServer.QueryAny, "a");
        Assert.Equal(HttpStatusCode.NotFound, status);

        (status, body) = await TenantServer.GetAsync(server, new Uri(server.TempoEndpoint, $"/api/v2/traces/{TraceId}"), TenantServer.QueryA, "b");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.DoesNotContain("bravo", body, StringComparison.Ordinal);
        (status, body) = await TenantServer.GetAsync(server, new Uri(server.TempoEndpoint, $"/api/v2/traces/{TraceId}"), TenantServer.QueryA, "a");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("alpha-op", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("a/b", HttpStatusCode.BadRequest)]
    [InlineData(".", HttpStatusCode.BadRequest)]
    [InlineData("..", HttpStatusCode.BadRequest)]
    [InlineData("tenant with space", HttpStatusCode.BadRequest)]
    [InlineData("ok!-_.*'()tenant", HttpStatusCode.OK)]
    public async Task TenantHeader_IsRequiredAndFollowsTempoRules_OnWritesAndReads(string? tenant, HttpStatusCode expected)
    {
        await using var server = await TenantServer.StartAsync();
        using var write = await TenantServer.PostAsync(server, TenantServer.Trace(TraceId, "x-svc", "x-op"), TenantServer.IngestAny, tenant);
        Assert.Equal(expected, write.StatusCode);
        var (status, _) = await TenantServer.GetAsync(server, new Uri(server.QueryEndpoint, "/api/services"), TenantServer.QueryAny, tenant);
        Assert.Equal(expected, status);

        var grpc = await GrpcCall.ExportAsync(server.GrpcEndpoint, GrpcCall.Frame(TenantServer.Trace(TraceId, "x-svc", "x-op")), metadata: tenant is null
            ? new Dictionary<string, string> { ["x-api-key"] = TenantServer.IngestAny }
            : new Dictionary<string, string> { ["x-api-key"] = TenantServer.IngestAny, ["x-scope-orgid"] = tenant });
        Assert.Equal(expected switch { HttpStatusCode.OK => 0, HttpStatusCode.Unauthorized => 16, _ => 3 }, grpc.Status);
    }

    [Fact]
    public async Task TenantHeader_LongerThan150_IsRefused()
    {
        await using var server = await TenantServer.StartAsync();
        using var ok = await TenantServer.PostAsync(server, TenantServer.Trace(TraceId, "x-svc", "x-op"), TenantServer.IngestAny, new string('t', 150));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using var tooLong = await TenantServer.PostAsync(server, TenantServer.Trace(TraceId, "x-svc", "x-op"), TenantServer.IngestAny, new string('t', 151));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }

    private static async Task WriteBothAsync(LoopbackServer server)
    {
        using (var a = await TenantServer.PostAsync(server, TenantServer.Trace(TraceId, "alpha-svc", "alpha-op", spans: 3), TenantServer.IngestA, tenant: null))
        {
            Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        }

        using var b = await TenantServer.PostAsync(server, TenantServer.Trace(TraceId, "bravo-svc", "bravo-op", spans: 2), TenantServer.IngestAny, "b");
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);
    }
}
