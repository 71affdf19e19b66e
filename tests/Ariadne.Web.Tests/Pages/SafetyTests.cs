using Ariadne.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Ariadne.Web.Tests.Pages;

/// <summary>
/// Names, attribute keys and values that are HTML or script are shown as text on every page that
/// shows them, none runs, and the responses carry a Content-Security-Policy that would stop it anyway.
/// </summary>
[Collection(UiCollection.Name)]
public sealed class SafetyTests(UiFixture ui)
{
    [SkippableFact]
    public async Task XssPayloads_AreRenderedAsTextEverywhere()
    {
        var page = await ui.NewPageAsync();
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };

        await page.GoAndWaitAsync("/?q=" + Uri.EscapeDataString("{ resource.service.name = \"" + UiFixture.XssService + "\" }"), $"#results tr[data-trace-id='{ui.XssTraceId}']");
        var row = await page.InnerTextAsync($"#results tr[data-trace-id='{ui.XssTraceId}']");
        Assert.Contains(UiFixture.XssService, row, StringComparison.Ordinal);
        Assert.Contains(UiFixture.XssSpanName, row, StringComparison.Ordinal);

        await page.OpenTraceAsync("/trace/" + ui.XssTraceId);
        Assert.Contains(UiFixture.XssSpanName, await page.InnerTextAsync("#trace-title"), StringComparison.Ordinal);
        Assert.Contains(UiFixture.XssAttributeValue, await page.InnerTextAsync("#rows"), StringComparison.Ordinal);
        await page.ClickAsync("#rows .span-row[data-index='0'] .name");
        var details = await page.InnerTextAsync("#span-details");
        Assert.Contains(UiFixture.XssAttributeKey, details, StringComparison.Ordinal);
        Assert.Contains(UiFixture.XssAttributeValue, details, StringComparison.Ordinal);
        Assert.Contains(UiFixture.XssEventName, details, StringComparison.Ordinal);
        Assert.Equal(0, await page.CountAsync("#span-details img, #span-details script, #span-details svg[onload], #rows img, #trace-header script"));

        await page.GoAndWaitAsync("/services?kind=server", "#services-table");
        Assert.Contains(UiFixture.XssService, await page.InnerTextAsync("#services-table"), StringComparison.Ordinal);

        await page.HoverAsync("#services-table");
        Assert.Equal(0, dialogs);
        Assert.True(await page.EvaluateAsync<bool>("() => window.__xss === undefined"));
    }

    [SkippableFact]
    public async Task Pages_SendAContentSecurityPolicyThatForbidsFramingAndInlineScript()
    {
        var page = await ui.NewPageAsync();
        var response = await page.GotoAsync("/");
        var headers = await response!.AllHeadersAsync();
        var policy = headers["content-security-policy"];
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Equal("DENY", headers["x-frame-options"]);
        Assert.Equal("nosniff", headers["x-content-type-options"]);

        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                violations.Add(message.Text);
            }
        };
        await page.GoAndWaitAsync("/", "#results");
        await page.OpenTraceAsync("/trace/" + ui.SlowTraceId);
        Assert.Empty(violations);
    }
}
