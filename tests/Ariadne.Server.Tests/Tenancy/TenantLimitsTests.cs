using System.Net;
using System.Text;
using System.Text.Json;
using Ariadne.Server.Configuration;
using Ariadne.Server.Tests.Infrastructure;
using OpenTelemetry.Exporter;

namespace Ariadne.Server.Tests.Tenancy;

/// <summary>Per-tenant limits under <c>overrides</c>: ingestion rate, live traces, trace size, query range and limit.</summary>
public sealed class TenantLimitsTests
{
    [Fact]
    public async Task OverTheSpanRate_OtlpHttpIs429WithRetryAfter_NothingStored_AnotherTenantUnaffected()
    {
        await using var server = await TenantServer.StartAsync(configure: o => o.Overrides.PerTenant["a"] = new TenantLimitsOptions { IngestionRateSpans = 4 });
        using (var first = await TenantServer.PostAsync(server, TenantServer.Trace("00000000000000000000000000000a01", "alpha-svc", "first", spans: 4), TenantServer.IngestA, null))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using (var over = await TenantServer.PostAsync(server, TenantServer.Trace("00000000000000000000000000000a02", "alpha-svc", "second", spans: 4), TenantServer.IngestA, null))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
            Assert.True(over.Headers.RetryAfter!.Delta >= TimeSpan.FromSeconds(1));
            Assert.Equal(8, Status(await over.Content.ReadAsByteArrayAsync()));
        }

        using (var other = await TenantServer.PostAsync(server, TenantServer.Trace("00000000000000000000000000000b01", "bravo-svc", "bulk", spans: 40), TenantServer.IngestAny, "b"))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        var (status, _) = await TenantServer.GetAsync(server, new Uri(server.TempoEndpoint, "/api/v2/traces/00000000000000000000000000000a02"), TenantServer.QueryA, null);
        Assert.Equal(HttpStatusCode.NotFound, status);
        var (_, metrics) = await TenantServer.GetAsync(server, new Uri(server.QueryEndpoint, "/metrics"), TenantServer.QueryAny, "a");
        Assert.Contains("ariadne_discarded_spans_total{reason=\"rate_limited\",tenant=\"a\"} 4", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("tenant=\"b\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverTheByteRate_GrpcIsResourceExhaustedWithRetryInfo()
    {
        await using var server = await TenantServer.StartAsync(configure: o => o.Overrides.Defaults.IngestionRateBytes = 300);
        var body = TenantServer.Trace("00000000000000000000000000000c01", "alpha-svc", "op", spans: 2);
        var metadata = new Dictionary<string, string> { ["x-api-key"] = TenantServer.IngestA };
        var first = await GrpcCall.ExportAsync(server.GrpcEndpoint, GrpcCall.Frame(body), metadata: metadata);
        Assert.Equal(0, first.Status);
        var second = await GrpcCall.ExportAsync(server.GrpcEndpoint, GrpcCall.Frame(body), metadata: metadata);
        Assert.Equal(8, second.Status);
        Assert.NotNull(second.StatusDetails);
        var details = Convert.FromBase64String(second.StatusDetails!.PadRight((second.StatusDetails.Length + 3) / 4 * 4, '='));
        var status = Fields(details);
        Assert.Equal(8UL, status[1].Single().Varint);
        var any = Fields(status[3].Single().Bytes!);
        Assert.Equal("type.googleapis.com/google.rpc.RetryInfo", Encoding.UTF8.GetString(any[1].Single().Bytes!));
        var delay = Fields(Fields(any[2].Single().Bytes!)[1].Single().Bytes!);
        var seconds = delay.TryGetValue(1, out var s) ? (double)s.Single().Varint : 0;
        var nanos = delay.TryGetValue(2, out var n) ? (double)n.Single().Varint : 0;
        Assert.InRange(seconds + (nanos / 1e9), 0.01, 1.0);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public async Task SdkExporter_RetriesAfterTheRateLimit_AndTheSpansArrive(OtlpExportProtocol protocol)
    {
        await using var server = await TenantServer.StartAsync(configure: o => o.Overrides.PerTenant["a"] = new TenantLimitsOptions { IngestionRateSpans = 3 });
        var endpoint = protocol == OtlpExportProtocol.Grpc ? server.GrpcEndpoint : server.HttpEndpoint;
        var first = SdkExport.OneTrace(endpoint, protocol, $"x-api-key={TenantServer.IngestA}", spans: 3, retry: true);
        var second = SdkExport.OneTrace(endpoint, protocol, $"x-api-key={TenantServer.IngestA}", spans: 3, retry: true);

        foreach (var traceId in new[] { first, second })
        {
            var (status, _) = await TenantServer.GetAsync(server, new Uri(server.TempoEndpoint, $"/api/v2/traces/{traceId}"), TenantServer.QueryA, null);
            Assert.Equal(HttpStatusCode.OK, status);
        }

        var (_, metrics) = await TenantServer.GetAsync(server, new Uri(server.QueryEndpoint, "/metrics"), TenantServer.QueryA, null);
        Assert.Matches("ariadne_discarded_spans_total\\{reason=\"rate_limited\",tenant=\"a\"\\} [1-9]", metrics);
    }

    [Fact]
    public async Task SpansBeyondMaxSpansPerTrace_AreDroppedAndCounted_AsTraceTooLarge()
    {
        await using var server = await TenantServer.StartAsync(configure: o => o.Overrides.PerTenant["a"] = new TenantLimitsOptions { MaxSpansPerTrace = 3 });
        const string TraceId = "00000000000000000000000000000d01";
        using (var response = await TenantServer.PostAsync(server, TenantServer.Trace(TraceId, "alpha-svc", "op", spans: 5), TenantServer.IngestA, null))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var partial = Fields(await response.Content.ReadAsByteArrayAsync())[1].Single().Bytes!;
            var fields = Fields(partial);
            Assert.Equal(2UL, fields[1].Single().Varint);
            Assert.StartsWith("TRACE_TOO_LARGE", Encoding.UTF8.GetString(fields[2].Single().Bytes!), StringComparison.Ordinal);
        }

        var (_, body) = await TenantServer.GetAsync(server, new Uri(server.QueryEndpoint, $"/api/v3/traces/{TraceId}"), TenantServer.QueryA, null);
        using (var json = JsonDocument.Parse(body))
        {
            var spans = json.RootElement.GetProperty("result").GetProperty("resourceSpans")[0].GetProperty("scopeSpans")[0].GetProperty("spans");
            Assert.Equal(3, spans.GetArrayLength());
        }

        // Unaffected: another tenant under the defaults (no limit).
        using (var b = await TenantServer.PostAsync(server, TenantServer.Trace(TraceId, "bravo-svc", "op", spans: 5), TenantServer.IngestAny, "b"))
        {
            Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        }

        var (_, metrics) = await TenantServer.GetAsync(server, new Uri(server.QueryEndpoint, "/metrics"), TenantServer.QueryA, null);
        Assert.Contains("ariadne_discarded_spans_total{reason=\"trace_too_large\",tenant=\"a\"} 2", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("tenant=\"b\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewTracesBeyondMaxLiveTraces_AreDropped_SpansOfLiveTracesStillArrive()
    {
        await using var server = await TenantServer.StartAsync(configure: o => o.Overrides.Defaults.MaxLiveTraces = 2);
        foreach (var id in new[] { "e01", "e02", "e03", "e01" })
        {
            using var response = await TenantServer.PostAsync(server, TenantServer.Trace("00000000000000000000000000000" + id, "alpha-svc", "op" + id), TenantServer.IngestA, null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var (status, _) = await TenantServer.GetAsync(server, new Uri(server.TempoEndpoint, "/api/v2/traces/00000000000000000000000000000e03"), TenantServer.QueryA, null);
        Assert.Equal(HttpStatusCode.NotFound, status);
        (status, _) = await TenantServer.GetAsync(server, new Uri(server.TempoEndpoint, "/api/v2/traces/00000000000000000000000000000e02"), TenantServer.QueryA, null);
        Assert.Equal(HttpStatusCode.OK, status);
        var (_, metrics) = await TenantServer.GetAsync(server, new Uri(server.QueryEndpoint, "/metrics"), TenantServer.QueryA, null);
        Assert.Contains("ariadne_discarded_spans_total{reason=\"live_traces_exceeded\",tenant=\"a\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchBeyondTheTenantsRangeOrLimit_IsAClear400()
    {
        await using var server = await TenantServer.StartAsync(configure: o => o.Overrides.PerTenant["a"] = new TenantLimitsOptions { MaxSearchLimit = 10, MaxSearchDuration = TimeSpan.FromHours(1) });
        var end = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var (status, body) = await TenantServer.GetAsync(server, new Uri(server.TempoEndpoint, $"/api/search?q=%7B%7D&limit=11&start={end - 600}&end={end}"), TenantServer.QueryA, null);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("max_search_limit of 10", body, StringComparison.Ordinal);

        (status, body) = await TenantServer.GetAsync(server, new Uri(server.TempoEndpoint, $"/api/search?q=%7B%7D&limit=10&start={end - 7200}&end={end}"), TenantServer.QueryA, null);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("max_search_duration of 1h", body, StringComparison.Ordinal);

        (status, body) = await TenantServer.GetAsync(server, new Uri(server.QueryEndpoint, "/api/traces?service=alpha-svc&lookback=2h"), TenantServer.QueryA, null);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("max_search_duration", body, StringComparison.Ordinal);

        (status, _) = await TenantServer.GetAsync(server, new Uri(server.TempoEndpoint, $"/api/search?q=%7B%7D&limit=10&start={end - 600}&end={end}"), TenantServer.QueryA, null);
        Assert.Equal(HttpStatusCode.OK, status);
        (status, _) = await TenantServer.GetAsync(server, new Uri(server.TempoEndpoint, $"/api/search?q=%7B%7D&limit=500&start={end - 7200}&end={end}"), TenantServer.QueryAny, "b");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    private static int Status(byte[] body) => (int)Fields(body)[1].Single().Varint;

    /// <summary>A protobuf message's fields by number: varints and length-delimited values, enough for google.rpc.Status and friends.</summary>
    private static Dictionary<int, List<(ulong Varint, byte[]? Bytes)>> Fields(byte[] message)
    {
        var fields = new Dictionary<int, List<(ulong, byte[]?)>>();
        var i = 0;
        ulong ReadVarint()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = message[i++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }

        while (i < message.Length)
        {
            var tag = ReadVarint();
            var field = (int)(tag >> 3);
            if (!fields.TryGetValue(field, out var list))
            {
                fields[field] = list = [];
            }

            if ((tag & 7) == 0)
            {
                list.Add((ReadVarint(), null));
            }
            else
            {
                var length = (int)ReadVarint();
                list.Add((0, message[i..(i + length)]));
                i += length;
            }
        }

        return fields;
    }
}
