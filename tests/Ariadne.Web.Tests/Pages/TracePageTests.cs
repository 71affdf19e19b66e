using Ariadne.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Ariadne.Web.Tests.Pages;

[Collection(UiCollection.Name)]
public sealed class TracePageTests(UiFixture ui)
{
    [SkippableFact]
    public async Task Trace_Opens_WithSummaryWaterfallAndCriticalPath()
    {
        var page = await ui.NewPageAsync();
        await page.OpenTraceAsync("/trace/" + ui.SlowTraceId);
        Assert.Contains("gateway", await page.InnerTextAsync("#trace-title"), StringComparison.Ordinal);
        Assert.Equal("7", await page.InnerTextAsync("#trace-span-count"));
        Assert.Equal("2", await page.InnerTextAsync("#trace-errors"));
        Assert.Equal(7, await page.CountAsync("#rows .span-row"));
        Assert.True(await page.CountAsync("#rows .span-row .bar.critical") >= 3);
        Assert.Equal(2, await page.CountAsync("#rows .span-row .error-mark"));
        Assert.Equal(5, await page.CountAsync("#ruler .tick"));
    }

    [SkippableFact]
    public async Task Trace_CollapseAndExpand_HidesAndShowsTheSubtree()
    {
        var page = await ui.NewPageAsync();
        await page.OpenTraceAsync("/trace/" + ui.SlowTraceId);
        var root = page.Locator("#rows .span-row[data-index='0'] .toggle");
        Assert.Equal("true", await page.Locator("#rows .span-row[data-index='0']").GetAttributeAsync("aria-expanded"));
        await root.ClickAsync();
        await page.WaitForSelectorAsync("#waterfall[data-visible-rows='1']");
        Assert.Equal(1, await page.CountAsync("#rows .span-row"));
        await root.ClickAsync();
        await page.WaitForSelectorAsync("#waterfall[data-visible-rows='7']");
        await page.ClickAsync("#collapse-all");
        await page.WaitForSelectorAsync("#waterfall[data-visible-rows='1']");
        await page.ClickAsync("#expand-all");
        await page.WaitForSelectorAsync("#waterfall[data-visible-rows='7']");
    }

    [SkippableFact]
    public async Task Trace_ClickingASpan_ShowsItsAttributesEventsAndResource()
    {
        var page = await ui.NewPageAsync();
        await page.OpenTraceAsync("/trace/" + ui.SlowTraceId);
        await page.ClickAsync($"#rows .span-row[data-span-id='{ui.SlowPaymentsSpanId}'] .name");
        await page.WaitForSelectorAsync("#span-details");
        Assert.Equal("POST /charge", await page.InnerTextAsync("#span-name"));
        Assert.Equal("payments", await page.InnerTextAsync("#span-service"));
        Assert.Contains("error: card declined", await page.InnerTextAsync("#span-status"), StringComparison.Ordinal);
        var details = await page.InnerTextAsync("#span-details");
        Assert.Contains("payment.provider", details, StringComparison.Ordinal);
        Assert.Contains("PaymentDeclinedException", details, StringComparison.Ordinal);
        Assert.Contains("service.name", details, StringComparison.Ordinal);
        Assert.Contains("span=" + ui.SlowPaymentsSpanId, page.Url, StringComparison.Ordinal);
        await page.ScreenshotIfAskedAsync("trace");
    }

    [SkippableFact]
    public async Task Trace_DeepLinkToASpan_OpensItsDetails()
    {
        var page = await ui.NewPageAsync();
        await page.OpenTraceAsync($"/trace/{ui.SlowTraceId}?span={ui.SlowPaymentsSpanId}");
        await page.WaitForSelectorAsync("#span-details");
        Assert.Equal(ui.SlowPaymentsSpanId, await page.InnerTextAsync("#span-id"));
        Assert.Equal(1, await page.CountAsync($"#rows .span-row.selected[data-span-id='{ui.SlowPaymentsSpanId}']"));
    }

    [SkippableFact]
    public async Task Trace_FindInTrace_CountsAndFiltersMatches()
    {
        var page = await ui.NewPageAsync();
        await page.OpenTraceAsync("/trace/" + ui.SlowTraceId);
        await page.FillAsync("#trace-search", "post /orders");
        await page.WaitForSelectorAsync("#waterfall[data-matches='2']");
        Assert.Equal(2, await page.CountAsync("#rows .span-row.match"));
        await page.CheckAsync("#filter-matches");
        // The call and its handler, and the root above them; the payments calls below are hidden.
        await page.WaitForSelectorAsync("#waterfall[data-visible-rows='3']");
        await page.PressAsync("#trace-search", "Enter");
        Assert.Equal("1 of 2", await page.InnerTextAsync("#trace-search-count"));
    }

    [SkippableFact]
    public async Task Trace_Keyboard_MovesCollapsesAndOpensDetails()
    {
        var page = await ui.NewPageAsync();
        await page.OpenTraceAsync("/trace/" + ui.SlowTraceId);
        await page.FocusAsync("#waterfall");
        await page.Keyboard.PressAsync("ArrowDown");
        Assert.Equal("0", await page.Locator("#rows .span-row.cursor").GetAttributeAsync("data-index"));
        await page.Keyboard.PressAsync("ArrowLeft");
        await page.WaitForSelectorAsync("#waterfall[data-visible-rows='1']");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.WaitForSelectorAsync("#waterfall[data-visible-rows='7']");
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#span-details");
        Assert.Equal("POST /orders", await page.InnerTextAsync("#span-name"));
        await page.Keyboard.PressAsync("Escape");
        await page.WaitForSelectorAsync("#span-details", new() { State = WaitForSelectorState.Detached });
    }

    [SkippableFact]
    public async Task Trace_Link_OpensTheLinkedTrace()
    {
        var page = await ui.NewPageAsync();
        await page.OpenTraceAsync("/trace/" + ui.LinkingTraceId);
        await page.ClickAsync("#rows .span-row[data-index='0'] .name");
        await page.ClickAsync("#span-details a.span-link");
        await page.WaitForAddressAsync($"/trace/{ui.NormalTraceId}\\?span=");
        await page.WaitForSelectorAsync("#waterfall[data-ready='1']");
        Assert.Equal(ui.NormalTraceId, await page.InnerTextAsync("#trace-id"));
    }

    [SkippableFact]
    public async Task Trace_ClockSkew_IsAdjustedAndSaidSo()
    {
        var page = await ui.NewPageAsync();
        await page.OpenTraceAsync("/trace/" + ui.SkewedTraceId);
        Assert.Contains("1 clock-skew adjustment", await page.InnerTextAsync("#skew-warnings summary"), StringComparison.Ordinal);
        Assert.Equal(1, await page.CountAsync("#rows .span-row .skew-mark"));

        // Shown inside its caller: the handler's bar starts after the call's, not 300 ms before the trace.
        var call = await page.Locator("#rows .span-row[data-index='1'] .bar").BoundingBoxAsync();
        var handler = await page.Locator("#rows .span-row[data-index='2'] .bar").BoundingBoxAsync();
        Assert.True(handler!.X >= call!.X, $"handler at {handler.X}, call at {call.X}");
        Assert.True(handler.X + handler.Width <= call.X + call.Width + 1);
    }

    [SkippableFact]
    public async Task ThemeToggle_SwitchesBetweenLightAndDark()
    {
        var page = await ui.NewPageAsync();
        await page.GoAndWaitAsync("/", "#results");
        await page.ClickAsync("#theme-toggle");
        var first = await page.EvaluateAsync<string>("() => document.documentElement.dataset.theme");
        await page.ClickAsync("#theme-toggle");
        var second = await page.EvaluateAsync<string>("() => document.documentElement.dataset.theme");
        Assert.Contains(first, new[] { "light", "dark" });
        Assert.NotEqual(first, second);
    }

    [SkippableFact]
    public async Task Trace_Unknown_SaysNotFound()
    {
        var page = await ui.NewPageAsync();
        await page.GoAndWaitAsync("/trace/0123456789abcdef0123456789abcdef", "#trace-error");
        Assert.Contains("not found", await page.InnerTextAsync("#trace-error"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Trace_With10000Spans_DrawsOnlyTheRowsInViewAndCollapsesWholeSubtrees()
    {
        var page = await ui.NewPageAsync();
        var started = DateTime.UtcNow;
        await page.OpenTraceAsync("/trace/" + ui.LargeTraceId);
        var opened = DateTime.UtcNow - started;
        Assert.Equal(UiFixture.LargeTraceSpans.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.InnerTextAsync("#trace-span-count"));
        Assert.Equal("10000", await page.AttributeAsync("#waterfall", "data-visible-rows"));
        Assert.InRange(await page.CountAsync("#rows .span-row"), 10, 200);

        await page.ClickAsync("#collapse-all");
        await page.WaitForSelectorAsync("#waterfall[data-visible-rows='1']");
        await page.ClickAsync("#rows .span-row[data-index='0'] .toggle");
        await page.WaitForSelectorAsync("#waterfall[data-visible-rows='100']");
        var toggleMs = double.Parse((await page.AttributeAsync("#waterfall", "data-toggle-ms"))!, System.Globalization.CultureInfo.InvariantCulture);

        // Not a timing assertion (docs/performance.md has the measured numbers); this catches only a
        // waterfall that builds every row or re-renders the whole trace.
        Assert.InRange(opened, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        Assert.InRange(toggleMs, 0, 2_000);
        Console.WriteLine($"10,000-span trace: opened in {opened.TotalMilliseconds:0} ms, expand in {toggleMs:0.0} ms");
    }
}
