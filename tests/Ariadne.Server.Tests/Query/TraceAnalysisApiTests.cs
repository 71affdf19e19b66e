using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Ariadne.Server.Tests.Infrastructure;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ariadne.Server.Tests.Query;

/// <summary>
/// Two checkouts sent by the real OpenTelemetry SDK, a normal one and a slow one whose payment is
/// retried, whose payments clock runs 5 ms behind and which has an audit span whose parent never
/// arrives; the analysis and diff endpoints explain them.
/// </summary>
public sealed class TraceAnalysisApiTests
{
    private const long Ms = 1_000_000;

    [Fact]
    public async Task DiffAndAnalysis_TwoSdkTraces_AreExplained()
    {
        await using var server = await LoopbackServer.StartAsync();
        var (normal, slow) = ExportCheckouts(server);

        var diff = await GetAsync(server, $"/api/v1/diff?a={normal}&b={slow}", HttpStatusCode.OK);
        Assert.Equal(normal, diff.GetProperty("a").GetProperty("traceId").GetString());
        Assert.Equal(slow, diff.GetProperty("b").GetProperty("traceId").GetString());
        Assert.Equal(100 * Ms, diff.GetProperty("a").GetProperty("durationNanos").GetInt64());
        Assert.Equal(400 * Ms, diff.GetProperty("b").GetProperty("durationNanos").GetInt64());
        Assert.Equal(300 * Ms, diff.GetProperty("deltaDurationNanos").GetInt64());
        Assert.Equal((4, 0, 1), (diff.GetProperty("matched").GetInt32(), diff.GetProperty("missing").GetInt32(), diff.GetProperty("added").GetInt32()));

        var nodes = diff.GetProperty("nodes").EnumerateArray().ToArray();
        Assert.Equal(
            [
                "frontend/GET /checkout matched 1/1 100/400",
                "frontend/POST /pay matched 1/1 80/380",
                "payments/POST /pay matched 1/1 60/380",
                "payments/charge card matched 1/3 40/360",
                "payments/audit added 0/1 0/30",
            ],
            nodes.Select(n => $"{n.GetProperty("service").GetString()}/{n.GetProperty("operation").GetString()} {n.GetProperty("status").GetString()} " +
                $"{n.GetProperty("countA").GetInt32()}/{n.GetProperty("countB").GetInt32()} " +
                $"{n.GetProperty("totalNanosA").GetInt64() / Ms}/{n.GetProperty("totalNanosB").GetInt64() / Ms}").ToArray());
        Assert.Equal([JsonValueKind.Null, JsonValueKind.Number, JsonValueKind.Number, JsonValueKind.Number, JsonValueKind.Null], nodes.Select(n => n.GetProperty("parent").ValueKind).ToArray());
        var charge = nodes[3];
        Assert.Equal(120 * Ms, charge.GetProperty("meanNanosB").GetInt64());
        Assert.Equal(80 * Ms, charge.GetProperty("deltaMeanNanos").GetInt64());
        var pairs = charge.GetProperty("pairs").EnumerateArray().ToArray();
        Assert.Equal(3, pairs.Length);
        Assert.Equal(60 * Ms, pairs[0].GetProperty("deltaNanos").GetInt64());
        Assert.Equal(JsonValueKind.Null, pairs[1].GetProperty("spanIdA").ValueKind);
        Assert.Equal(16, pairs[1].GetProperty("spanIdB").GetString()!.Length);
        Assert.Equal(JsonValueKind.Null, nodes[4].GetProperty("meanNanosA").ValueKind);

        var analysis = await GetAsync(server, $"/api/v1/traces/{slow}/analysis", HttpStatusCode.OK);
        Assert.Equal(slow, analysis.GetProperty("traceId").GetString());
        var summary = analysis.GetProperty("summary");
        Assert.Equal(7, summary.GetProperty("spanCount").GetInt32());
        Assert.Equal(2, summary.GetProperty("errorCount").GetInt32());
        Assert.Equal("frontend", summary.GetProperty("rootService").GetString());
        Assert.Equal("GET /checkout", summary.GetProperty("rootOperation").GetString());
        Assert.Equal(400 * Ms, summary.GetProperty("durationNanos").GetInt64());
        Assert.Equal((4, 1, 1), (summary.GetProperty("depth").GetInt32(), summary.GetProperty("rootCount").GetInt32(), summary.GetProperty("orphanCount").GetInt32()));
        Assert.Equal(
            ["frontend 2 0", "payments 5 2"],
            summary.GetProperty("services").EnumerateArray().Select(s => $"{s.GetProperty("name").GetString()} {s.GetProperty("spanCount").GetInt32()} {s.GetProperty("errorCount").GetInt32()}").ToArray());
        var start = ulong.Parse(summary.GetProperty("startTimeUnixNano").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        var path = analysis.GetProperty("criticalPath");
        Assert.Equal(400 * Ms, path.GetProperty("durationNanos").GetInt64());
        Assert.Equal(
            [
                "GET /checkout 0-10",
                "POST /pay 10-15",
                "charge card 15-115",
                "charge card 115-215",
                "charge card 215-375",
                "POST /pay 375-390",
                "GET /checkout 390-400",
            ],
            path.GetProperty("segments").EnumerateArray().Select(s =>
                $"{s.GetProperty("operation").GetString()} {Offset(s, "startTimeUnixNano", start)}-{Offset(s, "endTimeUnixNano", start)}").ToArray());

        var spans = analysis.GetProperty("spans").EnumerateArray().ToArray();
        Assert.Equal(7, spans.Length);
        var paymentsServer = spans.Single(s => s.GetProperty("service").GetString() == "payments" && s.GetProperty("operation").GetString() == "POST /pay");
        Assert.Equal(20 * Ms, paymentsServer.GetProperty("selfNanos").GetInt64());
        Assert.Equal(20 * Ms, paymentsServer.GetProperty("criticalPathNanos").GetInt64());
        Assert.Equal(0.05, paymentsServer.GetProperty("criticalPathShare").GetDouble());
        Assert.Equal(5 * Ms, paymentsServer.GetProperty("clockSkewDeltaNanos").GetInt64());
        Assert.Equal(10, Offset(paymentsServer, "startTimeUnixNano", start));
        Assert.Equal([0.25, 0.25, 0.4], spans.Where(s => s.GetProperty("operation").GetString() == "charge card").Select(s => s.GetProperty("criticalPathShare").GetDouble()).ToArray());

        var orphan = Assert.Single(analysis.GetProperty("orphans").EnumerateArray());
        Assert.Equal("audit", orphan.GetProperty("operation").GetString());
        Assert.Equal(16, orphan.GetProperty("missingParentSpanId").GetString()!.Length);
        Assert.False(orphan.GetProperty("inCycle").GetBoolean());

        var warnings = analysis.GetProperty("clockSkew").EnumerateArray().ToArray();
        Assert.Equal(4, warnings.Length);
        Assert.All(warnings, w => Assert.Equal(5 * Ms, w.GetProperty("deltaNanos").GetInt64()));
        Assert.Equal(paymentsServer.GetProperty("spanId").GetString(), warnings[0].GetProperty("spanId").GetString());
        Assert.StartsWith("clock skew adjustment of 5ms applied", warnings[0].GetProperty("message").GetString(), StringComparison.Ordinal);

        var normalAnalysis = await GetAsync(server, $"/api/v1/traces/{normal}/analysis", HttpStatusCode.OK);
        Assert.Empty(normalAnalysis.GetProperty("clockSkew").EnumerateArray());
        Assert.Empty(normalAnalysis.GetProperty("orphans").EnumerateArray());
    }

    [Theory]
    [InlineData("/api/v1/diff?a=xyz&b=0af7651916cd43dd8448eb211c80319c", "malformed trace id 'xyz' in 'a'")]
    [InlineData("/api/v1/diff?a=0af7651916cd43dd8448eb211c80319c&b=00000000000000000000000000000000", "malformed trace id '00000000000000000000000000000000' in 'b'")]
    [InlineData("/api/v1/diff?a=0af7651916cd43dd8448eb211c80319c", "parameter 'b' is required")]
    [InlineData("/api/v1/traces/not-a-trace-id/analysis", "malformed trace id 'not-a-trace-id' in 'traceId'")]
    [InlineData("/api/v1/traces/0af7651916cd43dd8448eb211c80319c0/analysis", "malformed trace id")]
    public async Task BadIds_Are400WithTheReason(string path, string message)
    {
        await using var server = await LoopbackServer.StartAsync();
        var body = await GetAsync(server, path, HttpStatusCode.BadRequest);
        Assert.Equal(400, body.GetProperty("error").GetProperty("code").GetInt32());
        Assert.StartsWith(message, body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownTraces_Are404NamingTheTrace()
    {
        await using var server = await LoopbackServer.StartAsync();
        var (normal, _) = ExportCheckouts(server);

        var diff = await GetAsync(server, $"/api/v1/diff?a={normal}&b=0af7651916cd43dd8448eb211c80319c", HttpStatusCode.NotFound);
        Assert.Equal("trace b '0af7651916cd43dd8448eb211c80319c' not found", diff.GetProperty("error").GetProperty("message").GetString());
        var diffA = await GetAsync(server, $"/api/v1/diff?a=beef&b={normal}", HttpStatusCode.NotFound);
        Assert.Equal("trace a '0000000000000000000000000000beef' not found", diffA.GetProperty("error").GetProperty("message").GetString());
        var analysis = await GetAsync(server, "/api/v1/traces/0af7651916cd43dd8448eb211c80319c/analysis", HttpStatusCode.NotFound);
        Assert.Equal(404, analysis.GetProperty("error").GetProperty("code").GetInt32());
    }

    private static long Offset(JsonElement element, string name, ulong start) =>
        (long)(ulong.Parse(element.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture) - start) / Ms;

    /// <summary>
    /// Normal: GET /checkout [0, 100] → POST /pay client [10, 90] → payments POST /pay [20, 80] →
    /// charge card [30, 70]. Slow: GET /checkout [0, 400] → POST /pay [10, 390] → payments POST /pay
    /// stamped [5, 385] (its clock 5 ms behind) → charge card three times, the first two failing, and
    /// an audit span [50, 80] whose parent was never exported. Times in ms after a common instant.
    /// </summary>
    private static (string Normal, string Slow) ExportCheckouts(LoopbackServer server)
    {
        var suffix = Guid.NewGuid().ToString("N");
        using var frontendSource = new ActivitySource("frontend." + suffix);
        using var paymentsSource = new ActivitySource("payments." + suffix);
        using var frontend = SdkProviders.ForService("frontend", frontendSource.Name, server.GrpcEndpoint);
        using var payments = SdkProviders.ForService("payments", paymentsSource.Name, server.GrpcEndpoint);
        var epoch = new DateTimeOffset(DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(-10);

        var root = Record(frontendSource, "GET /checkout", ActivityKind.Server, default, epoch, 0, 100);
        var client = Record(frontendSource, "POST /pay", ActivityKind.Client, root.Context, epoch, 10, 90);
        var pay = Record(paymentsSource, "POST /pay", ActivityKind.Server, client.Context, epoch, 20, 80);
        Record(paymentsSource, "charge card", ActivityKind.Internal, pay.Context, epoch, 30, 70);

        var slowRoot = Record(frontendSource, "GET /checkout", ActivityKind.Server, default, epoch, 0, 400);
        var slowClient = Record(frontendSource, "POST /pay", ActivityKind.Client, slowRoot.Context, epoch, 10, 390);
        var slowPay = Record(paymentsSource, "POST /pay", ActivityKind.Server, slowClient.Context, epoch, 5, 385);
        Record(paymentsSource, "charge card", ActivityKind.Internal, slowPay.Context, epoch, 10, 110, error: true);
        Record(paymentsSource, "charge card", ActivityKind.Internal, slowPay.Context, epoch, 110, 210, error: true);
        Record(paymentsSource, "charge card", ActivityKind.Internal, slowPay.Context, epoch, 210, 370);
        var lostParent = new ActivityContext(slowRoot.TraceId, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        Record(paymentsSource, "audit", ActivityKind.Consumer, lostParent, epoch, 50, 80);

        SdkDelivery.Complete(frontend, "the frontend export");
        SdkDelivery.Complete(payments, "the payments export");
        return (root.TraceId.ToHexString(), slowRoot.TraceId.ToHexString());
    }

    private static Activity Record(ActivitySource source, string name, ActivityKind kind, ActivityContext parent, DateTimeOffset epoch, int startMs, int endMs, bool error = false)
    {
        var activity = source.StartActivity(name, kind, parent, startTime: epoch.AddMilliseconds(startMs))!;
        if (error)
        {
            activity.SetStatus(ActivityStatusCode.Error, "declined");
        }

        activity.SetEndTime(epoch.AddMilliseconds(endMs).UtcDateTime);
        activity.Stop();
        return activity;
    }

    private static async Task<JsonElement> GetAsync(LoopbackServer server, string path, HttpStatusCode expected)
    {
        using var response = await server.Query.GetAsync(new Uri(server.QueryEndpoint, path));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
