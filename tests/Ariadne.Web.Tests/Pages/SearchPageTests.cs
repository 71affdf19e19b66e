using Ariadne.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Ariadne.Web.Tests.Pages;

[Collection(UiCollection.Name)]
public sealed class SearchPageTests(UiFixture ui)
{
    [SkippableFact]
    public async Task Search_Default_ListsRecentTracesWithScatterPlot()
    {
        var page = await ui.NewPageAsync();
        await page.GoAndWaitAsync("/", "#results");
        var rows = page.Locator("#results tbody tr");
        Assert.True(await rows.CountAsync() >= 5);
        Assert.Equal(1, await page.CountAsync($"#results tr[data-trace-id='{ui.SlowTraceId}']"));
        Assert.True(await page.CountAsync("#scatter circle.point") >= 5);
        Assert.Equal(1, await page.CountAsync($"#scatter circle.point.error[data-trace-id='{ui.SlowTraceId}']"));
        await page.ScreenshotIfAskedAsync("search");
    }

    [SkippableFact]
    public async Task Search_ByServiceAndTraceDuration_FindsOnlyTheSlowCheckout()
    {
        var page = await ui.NewPageAsync();
        await page.GoAndWaitAsync("/", "#results");
        await page.SelectOptionAsync("#service", "gateway");
        await page.WaitForSelectorAsync("#operation option[value='GET /checkout']", new() { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#operation", "GET /checkout");
        await page.FillAsync("#min-duration", "500ms");
        await page.ClickAsync("#search-button");
        await page.WaitForAddressAsync("minDuration=500ms");
        // The earlier results stay until the new search answers: wait for the table to become the one row.
        await Assertions.Expect(page.Locator("#results tbody tr")).ToHaveCountAsync(1);
        Assert.Equal(1, await page.CountAsync($"#results tr[data-trace-id='{ui.SlowTraceId}']"));
    }

    [SkippableFact]
    public async Task Search_InvalidTraceQL_ShowsTheParserErrorInline()
    {
        var page = await ui.NewPageAsync();
        await page.GoAndWaitAsync("/?q=" + Uri.EscapeDataString("{ status = }"), "#search-error");
        var error = await page.InnerTextAsync("#search-error");
        Assert.StartsWith("TraceQL error at 1:", error, StringComparison.Ordinal);
        Assert.Equal(0, await page.CountAsync("#results"));
    }

    [SkippableFact]
    public async Task Search_TraceQLBox_SuggestsAttributeNamesAndValues()
    {
        var page = await ui.NewPageAsync();
        await page.GoAndWaitAsync("/", "#results");
        await page.ClickAsync("#tab-traceql");
        await page.FillAsync("#traceql", "{ span.payment.pro");
        var suggestion = page.Locator("#suggestions button", new() { HasText = "{ span.payment.provider" });
        await suggestion.WaitForAsync();
        await suggestion.ClickAsync();
        // The circuit renders the chosen suggestion into the box a moment after the click.
        await Assertions.Expect(page.Locator("#traceql")).ToHaveValueAsync("{ span.payment.provider");

        await page.FillAsync("#traceql", "{ span.payment.provider = ");
        var value = page.Locator("#suggestions button", new() { HasText = "\"acme\"" });
        await value.WaitForAsync();
        await value.ClickAsync();
        await Assertions.Expect(page.Locator("#traceql")).ToHaveValueAsync("{ span.payment.provider = \"acme\"");
    }

    [SkippableFact]
    public async Task Search_TraceQL_RunsTheQueryAndSortsByDuration()
    {
        var page = await ui.NewPageAsync();
        await page.GoAndWaitAsync("/?q=" + Uri.EscapeDataString("{ resource.service.name = \"payments\" }"), "#results");
        Assert.Equal(2, await page.CountAsync("#results tbody tr"));
        await page.ClickAsync("#sort-duration");
        await page.WaitForSelectorAsync("#sort-duration.desc");
        Assert.Equal(ui.SlowTraceId, await page.Locator("#results tbody tr").First.GetAttributeAsync("data-trace-id"));
        await page.ClickAsync("#sort-duration");
        await page.WaitForSelectorAsync("#sort-duration.asc");
        Assert.Equal(ui.NormalTraceId, await page.Locator("#results tbody tr").First.GetAttributeAsync("data-trace-id"));
    }

    [SkippableFact]
    public async Task Search_ClickOnAScatterPoint_OpensTheTrace()
    {
        var page = await ui.NewPageAsync();
        await page.GoAndWaitAsync("/", "#scatter");
        // Dispatched to the point itself: points of traces close in time and duration may overlap.
        await page.Locator($"#scatter circle[data-trace-id='{ui.SlowTraceId}']").DispatchEventAsync("click");
        await page.WaitForSelectorAsync("#waterfall[data-ready='1']");
        Assert.EndsWith("/trace/" + ui.SlowTraceId, page.Url, StringComparison.Ordinal);
        Assert.Equal(ui.SlowTraceId, await page.InnerTextAsync("#trace-id"));
    }
}
