using System.Globalization;
using System.Net;
using System.Text.Json;
using Ariadne.Server.Tests.EndToEnd;
using Ariadne.Server.Tests.Infrastructure;
using OpenTelemetry.Exporter;

namespace Ariadne.Server.Tests.Query;

/// <summary>Tempo's search API (TraceQL and logfmt tags) over SDK-exported traces, in the head and then in blocks.</summary>
public sealed class TempoSearchTests
{
    [Fact]
    public async Task Search_TraceQLAndTags_FindTheTracesInHeadAndBlocks_InTempoShape()
    {
        await using var server = await LoopbackServer.StartAsync(configure: o => o.Query.MaxSearchLimit = 5);
        var exported = OpenTelemetrySdkTests.ExportCheckoutTrace(server, OtlpExportProtocol.HttpProtobuf);
        var first = exported[0].TraceId.ToHexString();
        var second = OpenTelemetrySdkTests.ExportCheckoutTrace(server, OtlpExportProtocol.Grpc)[0].TraceId.ToHexString();
        string[] both = [first, second];
        Array.Sort(both, StringComparer.Ordinal);

        for (var round = 0; round < 2; round++)
        {
            var body = await SearchAsync(server, "q=" + Q("{ resource.service.name = \"payments\" && status = error }"));
            Assert.Equal(both, Ids(body));
            var trace = body.GetProperty("traces").EnumerateArray().First(t => t.GetProperty("traceID").GetString() == first);
            Assert.Equal("frontend", trace.GetProperty("rootServiceName").GetString());
            Assert.Equal("GET /checkout", trace.GetProperty("rootTraceName").GetString());
            var root = exported.Single(a => a.DisplayName == "GET /checkout");
            Assert.Equal(((ulong)(root.StartTimeUtc - DateTime.UnixEpoch).Ticks * 100).ToString(CultureInfo.InvariantCulture), trace.GetProperty("startTimeUnixNano").GetString());
            Assert.Equal((long)root.Duration.TotalMilliseconds, trace.GetProperty("durationMs").GetInt64());
            var spanSet = Assert.Single(trace.GetProperty("spanSets").EnumerateArray());
            Assert.Equal(2, spanSet.GetProperty("matched").GetInt32());
            var names = spanSet.GetProperty("spans").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(["POST /pay", "charge card"], names);
            var charge = spanSet.GetProperty("spans").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "charge card");
            var chargeActivity = exported.Single(a => a.DisplayName == "charge card");
            Assert.Equal(chargeActivity.SpanId.ToHexString(), charge.GetProperty("spanID").GetString());
            Assert.Equal(((ulong)chargeActivity.Duration.Ticks * 100).ToString(CultureInfo.InvariantCulture), charge.GetProperty("durationNanos").GetString());
            Assert.Equal(2, trace.GetProperty("spanSet").GetProperty("matched").GetInt32());
            var stats = trace.GetProperty("serviceStats");
            Assert.Equal(2, stats.GetProperty("frontend").GetProperty("spanCount").GetInt32());
            Assert.Equal(4, stats.GetProperty("payments").GetProperty("spanCount").GetInt32());
            Assert.Equal(2, stats.GetProperty("payments").GetProperty("errorCount").GetInt32());
            Assert.True(body.GetProperty("metrics").GetProperty("inspectedTraces").GetInt64() >= 2);

            Assert.Equal(both, Ids(await SearchAsync(server, "q=" + Q("{ resource.service.name = \"frontend\" } >> { status = error }"))));
            Assert.Empty(Ids(await SearchAsync(server, "q=" + Q("{ status = error } >> { resource.service.name = \"frontend\" }"))));
            Assert.Equal(both, Ids(await SearchAsync(server, "q=" + Q("{ } | count() = 6"))));
            Assert.Empty(Ids(await SearchAsync(server, "q=" + Q("{ } | count() > 6"))));
            Assert.Equal(both, Ids(await SearchAsync(server, "q=" + Q("{ name =~ \"charge.*\" && statusMessage = \"card declined\" }"))));
            Assert.Empty(Ids(await SearchAsync(server, "q=" + Q("{ name =~ \"charge\" }"))));

            var amount = await SearchAsync(server, "q=" + Q("{ span.payment.amount > 12 }"));
            Assert.Equal(both, Ids(amount));
            var attribute = amount.GetProperty("traces")[0].GetProperty("spanSets")[0].GetProperty("spans")[0].GetProperty("attributes")[0];
            Assert.Equal("payment.amount", attribute.GetProperty("key").GetString());
            Assert.Equal(12.5, attribute.GetProperty("value").GetProperty("doubleValue").GetDouble());

            var grouped = await SearchAsync(server, "q=" + Q("{ } | by(resource.service.name)"));
            var groups = grouped.GetProperty("traces")[0].GetProperty("spanSets").EnumerateArray()
                .Select(s => s.GetProperty("attributes")[0])
                .Select(a => a.GetProperty("key").GetString() + "=" + a.GetProperty("value").GetProperty("stringValue").GetString())
                .Order().ToArray();
            Assert.Equal(["by(resource.service.name)=frontend", "by(resource.service.name)=payments"], groups);

            Assert.Equal(both, Ids(await SearchAsync(server, "tags=" + Q("service.name=payments name=\"charge card\""))));
            Assert.Equal(both, Ids(await SearchAsync(server, "tags=" + Q("http.response.status_code=200 status=ok"))));
            Assert.Empty(Ids(await SearchAsync(server, "tags=" + Q("http.response.status_code=500"))));
            Assert.Equal(both, Ids(await SearchAsync(server, string.Empty)));

            Assert.Single(Ids(await SearchAsync(server, "q=" + Q("{ }") + "&limit=1")));
            var one = await SearchAsync(server, "q=" + Q("{ }") + "&spss=1");
            Assert.Single(one.GetProperty("traces")[0].GetProperty("spanSets")[0].GetProperty("spans").EnumerateArray());
            Assert.Equal(6, one.GetProperty("traces")[0].GetProperty("spanSets")[0].GetProperty("matched").GetInt32());
            Assert.Empty(Ids(await SearchAsync(server, "q=" + Q("{ }") + "&minDuration=1h")));
            Assert.Equal(both, Ids(await SearchAsync(server, "q=" + Q("{ }") + "&maxDuration=1h")));
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            Assert.Equal(both, Ids(await SearchAsync(server, $"q={Q("{ }")}&start={now - 600}&end={now + 60}")));
            Assert.Empty(Ids(await SearchAsync(server, $"q={Q("{ }")}&start={now - 7800}&end={now - 7200}")));

            using var flushed = await server.Query.PostAsync(new Uri(server.QueryEndpoint, "/api/admin/flush"), null);
            Assert.Equal(HttpStatusCode.OK, flushed.StatusCode);
        }
    }

    [Fact]
    public async Task Search_LimitAboveTheConfiguredCap_IsCapped()
    {
        await using var server = await LoopbackServer.StartAsync(configure: o => o.Query.MaxSearchLimit = 2);
        for (var i = 0; i < 3; i++)
        {
            OpenTelemetrySdkTests.ExportCheckoutTrace(server, OtlpExportProtocol.Grpc);
        }

        Assert.Equal(3, Ids(await SearchAsync(server, "q=" + Q("{ }") + "&limit=1")).Length + 2);
        Assert.Equal(2, Ids(await SearchAsync(server, "q=" + Q("{ }") + "&limit=1000000")).Length);
    }

    [Fact]
    public async Task Search_SpansPerSpansetAboveTheConfiguredCap_IsCapped()
    {
        await using var server = await LoopbackServer.StartAsync(configure: o => o.Query.MaxSpansPerSpanSet = 2);
        OpenTelemetrySdkTests.ExportCheckoutTrace(server, OtlpExportProtocol.Grpc);

        var body = await SearchAsync(server, "q=" + Q("{ }") + "&spss=2147483647&limit=2147483647");
        var spanSet = body.GetProperty("traces")[0].GetProperty("spanSets")[0];
        Assert.Equal(2, spanSet.GetProperty("spans").GetArrayLength());
        Assert.Equal(6, spanSet.GetProperty("matched").GetInt32());
    }

    [Theory]
    [InlineData("q=%7B%20status%20%3D%20%7D", "invalid TraceQL query: 1:12: expected a value after '=', found '}'")]
    [InlineData("q=%7B%20foo%20%3D%201%20%7D", "invalid TraceQL query: 1:3: unknown name 'foo'")]
    [InlineData("q=%7B%7D&minDuration=fast", "'minDuration' must be a duration")]
    [InlineData("q=%7B%7D&minDuration=2s&maxDuration=1s", "'minDuration' must not be greater than 'maxDuration'")]
    [InlineData("q=%7B%7D&limit=-1", "'limit' must be a non-negative integer")]
    [InlineData("q=%7B%7D&spss=many", "'spss' must be a non-negative integer")]
    [InlineData("q=%7B%7D&start=20&end=10", "'start' must not be after 'end'")]
    [InlineData("q=%7B%7D&start=yesterday", "'start' must be Unix seconds")]
    [InlineData("tags=name%3D%22open", "'tags' the quoted value of 'name' is not closed")]
    [InlineData("tags=status%3Dbroken", "'tags': status must be error, ok or unset")]
    [InlineData("tags=novalue", "'tags' expected key=value")]
    public async Task Search_BadRequests_Are400WithAReasonTheUserCanActOn(string parameters, string message)
    {
        await using var server = await LoopbackServer.StartAsync();
        using var response = await server.Query.GetAsync(new Uri(server.TempoEndpoint, "/api/search?" + parameters));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string Q(string text) => Uri.EscapeDataString(text);

    private static string[] Ids(JsonElement body) =>
        [.. body.GetProperty("traces").EnumerateArray().Select(t => t.GetProperty("traceID").GetString()!).Order(StringComparer.Ordinal)];

    private static async Task<JsonElement> SearchAsync(LoopbackServer server, string parameters)
    {
        using var response = await server.Query.GetAsync(new Uri(server.TempoEndpoint, "/api/search?" + parameters));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
