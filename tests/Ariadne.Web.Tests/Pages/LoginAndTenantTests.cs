using System.Diagnostics;
using Ariadne.Server.Tests.Infrastructure;
using Ariadne.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ariadne.Web.Tests.Pages;

/// <summary>
/// With read keys and tenants: the UI asks for a key first, a key bound to tenant "a" sees tenant a's
/// traces only (pages and the waterfall's data), and logging out ends the session.
/// </summary>
public sealed class LoginAndTenantTests : IAsyncLifetime
{
    private const string IngestA = "ingest-a-41f0";
    private const string IngestB = "ingest-b-9c2e";
    private const string QueryA = "query-a-7d15";
    private const string QueryB = "query-b-02ab";
    private static readonly ActivitySource Source = new("ui.tenants");

    private LoopbackServer _server = default!;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string _alphaTrace = string.Empty;
    private string _betaTrace = string.Empty;

    public async Task InitializeAsync()
    {
        _server = await LoopbackServer.StartAsync(
            configure: o =>
            {
                o.MultitenancyEnabled = true;
                o.Auth.Ingest.Keys = [new() { Key = IngestA, Tenant = "a" }, new() { Key = IngestB, Tenant = "b" }];
                o.Auth.Query.Keys = [new() { Key = QueryA, Tenant = "a" }, new() { Key = QueryB, Tenant = "b" }];
            },
            extensions: [new WebUi()]);
        _alphaTrace = Send("alpha-svc", IngestA);
        _betaTrace = Send("beta-svc", IngestB);
        if (Infrastructure.Browser.IsInstalled)
        {
            (_playwright, _browser) = await Infrastructure.Browser.LaunchAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await _server.DisposeAsync();
    }

    [SkippableFact]
    public async Task Ui_WithReadKeys_AsksForAKey_ShowsOnlyTheKeysTenant_AndLogsOut()
    {
        Infrastructure.Browser.Require();
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = _server.QueryEndpoint.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);

        await page.GotoAsync("/services");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
        var timeline = await page.APIRequest.GetAsync("/api/ui/timeline/" + _alphaTrace);
        Assert.Equal(401, timeline.Status);

        await page.FillAsync("#key", QueryA);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync("#services-table");
        Assert.EndsWith("/services", page.Url, StringComparison.Ordinal);
        var services = await page.InnerTextAsync("#services-table");
        Assert.Contains("alpha-svc", services, StringComparison.Ordinal);
        Assert.DoesNotContain("beta-svc", services, StringComparison.Ordinal);

        await page.GotoAsync("/?lookback=all");
        await page.WaitForSelectorAsync($"#results tr[data-trace-id='{_alphaTrace}']");
        Assert.Equal(0, await page.Locator($"#results tr[data-trace-id='{_betaTrace}']").CountAsync());
        Assert.Equal(1, await page.Locator("#service option[value='alpha-svc']").CountAsync());
        Assert.Equal(0, await page.Locator("#service option[value='beta-svc']").CountAsync());

        await page.GotoAsync("/trace/" + _betaTrace);
        await page.WaitForSelectorAsync("#trace-error");
        Assert.Equal(404, (await page.APIRequest.GetAsync("/api/ui/timeline/" + _betaTrace)).Status);
        Assert.Equal(404, (await page.APIRequest.GetAsync("/api/ui/download/" + _betaTrace)).Status);
        Assert.Equal(200, (await page.APIRequest.GetAsync("/api/ui/timeline/" + _alphaTrace)).Status);

        // A tenant header from the browser does not change the session's tenant.
        var forged = await page.APIRequest.GetAsync("/api/ui/timeline/" + _betaTrace, new() { Headers = new Dictionary<string, string> { ["X-Scope-OrgID"] = "b" } });
        Assert.NotEqual(200, forged.Status);

        await page.GotoAsync("/trace/" + _alphaTrace);
        await page.WaitForSelectorAsync("#waterfall[data-ready='1']");
        await page.ClickAsync("#logout");
        await page.WaitForAddressAsync("/login");
        await page.GotoAsync("/");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
    }

    private string Send(string service, string key)
    {
        using var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service, autoGenerateServiceInstanceId: false))
            .AddSource("ui.tenants")
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o =>
            {
                o.Endpoint = _server.GrpcEndpoint;
                o.Protocol = OtlpExportProtocol.Grpc;
                o.Headers = "x-api-key=" + key;
                o.ExportProcessorType = ExportProcessorType.Simple;
            })
            .Build()!;
        using (var span = Source.StartActivity("GET /tenant", ActivityKind.Server)!)
        {
            span.SetTag("http.route", "/tenant");
            var traceId = span.TraceId.ToHexString();
            span.Stop();
            provider.ForceFlush();
            return traceId;
        }
    }
}
