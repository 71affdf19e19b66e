using System.Diagnostics;
using System.Net;
using Ariadne.Server.Configuration;
using Ariadne.Server.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace Ariadne.Server.Tests.Receivers;

/// <summary>The redaction profile <c>default</c> on spans the OpenTelemetry SDK exported with credentials in them.</summary>
public sealed class RedactionProfileTests
{
    [Fact]
    public async Task DefaultProfile_DropsCredentialHeadersAndMasksTokensAndCardNumbers_KeepsTheRest()
    {
        var parsed = ConfigLoader.Parse("""
            processors:
              redaction/default:
                profile: default
                summary: debug
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  processors: [redaction/default]
                  exporters: [storage]
            """, "ariadne.yaml");
        await using var server = await LoopbackServer.StartAsync(configure: o =>
        {
            o.Processors = parsed.Processors;
            o.Service = parsed.Service;
        });

        var source = new ActivitySource("redaction." + Guid.NewGuid().ToString("N"));
        ActivityTraceId traceId;
        using (var provider = SdkProviders.ForService("shop", source.Name, server.GrpcEndpoint))
        {
            using (var span = source.StartActivity("POST /pay", ActivityKind.Server, default(ActivityContext))!)
            {
                traceId = span.TraceId;
                span.SetTag("http.request.header.authorization", new[] { "Bearer eyJhbGciOiJIUzI1NiJ9.secret-one" });
                span.SetTag("http.request.header.cookie", new[] { "session=secret-two" });
                span.SetTag("http.response.header.set-cookie", new[] { "session=secret-three" });
                span.SetTag("http.request.header.user-agent", new[] { "curl/8.5" });
                span.SetTag("app.upstream", "called with Authorization: Bearer abc.secret-four== ok");
                span.SetTag("payment.note", "card 4111 1111 1111 1111 charged");
                span.SetTag("order.id", "order 4111111111111112 placed");
                span.SetTag("http.route", "/pay");
            }

            SdkDelivery.Complete(provider);
        }

        using var response = await server.Query.GetAsync(new Uri(server.QueryEndpoint, $"/api/traces/{traceId.ToHexString()}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret-", text, StringComparison.Ordinal);
        Assert.DoesNotContain("4111 1111 1111 1111", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"key\":\"http.request.header.authorization\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"key\":\"http.request.header.cookie\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"key\":\"http.response.header.set-cookie\"", text, StringComparison.Ordinal);
        Assert.Contains("curl/8.5", text, StringComparison.Ordinal);
        Assert.Contains("called with Authorization: **** ok", text, StringComparison.Ordinal);
        Assert.Contains("card **** charged", text, StringComparison.Ordinal);
        Assert.Contains("order 4111111111111112 placed", text, StringComparison.Ordinal);
        Assert.Contains("\"/pay\"", text, StringComparison.Ordinal);
        Assert.Contains("\"value\":\"http.request.header.authorization,http.request.header.cookie,http.response.header.set-cookie\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownProfile_IsAConfigurationError()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse("""
            processors:
              redaction:
                profile: strict
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  processors: [redaction]
                  exporters: [storage]
            """, "ariadne.yaml"));
        Assert.Contains("processors.redaction.profile: expected default, got 'strict'", error.Message, StringComparison.Ordinal);
    }
}
