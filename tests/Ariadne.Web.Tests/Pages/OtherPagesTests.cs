using Ariadne.Web.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Ariadne.Web.Tests.Pages;

[Collection(UiCollection.Name)]
public sealed class OtherPagesTests(UiFixture ui)
{
    [SkippableFact]
    public async Task Compare_NormalAndSlow_ShowsDeltasAndAddedAndMissingSpans()
    {
        var page = await ui.NewPageAsync();
        await page.GoAndWaitAsync($"/compare?a={ui.NormalTraceId}&b={ui.SlowTraceId}", "#compare-table");
        Assert.StartsWith("+", await page.InnerTextAsync("#compare-delta"), StringComparison.Ordinal);
        Assert.Equal("1 missing in B", await page.InnerTextAsync("#compare-missing"));
        var missing = page.Locator("#compare-table tr[data-status='missing']");
        Assert.Equal(1, await missing.CountAsync());
        Assert.Contains("SELECT orders", await missing.InnerTextAsync(), StringComparison.Ordinal);
        var charge = page.Locator("#compare-table tr", new() { HasText = "payments: POST /charge" });
        Assert.Contains("2", await charge.Locator("td").Nth(2).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("slower", await charge.Locator("td").Nth(5).GetAttributeAsync("class") ?? string.Empty, StringComparison.Ordinal);
        await page.ScreenshotIfAskedAsync("compare");
    }

    [SkippableFact]
    public async Task Compare_FromATrace_CarriesItsIdIntoTheForm()
    {
        var page = await ui.NewPageAsync();
        await page.OpenTraceAsync("/trace/" + ui.NormalTraceId);
        await page.ClickAsync("#compare-link");
        await page.WaitForSelectorAsync("#trace-b");
        Assert.Equal(ui.NormalTraceId, await page.InputValueAsync("#trace-a"));
        await page.FillAsync("#trace-b", ui.SlowTraceId);
        await page.ClickAsync("#compare-button");
        await page.WaitForSelectorAsync("#compare-table");
    }

    [SkippableFact]
    public async Task Services_ListsOperationsWithRatesErrorsAndLatency()
    {
        var page = await ui.NewPageAsync();
        await page.GoAndWaitAsync("/services", "#services-table");
        var payments = page.Locator("#services-table tr[data-service='payments'][data-operation='POST /charge']");
        Assert.Equal(1, await payments.CountAsync());
        var cells = payments.Locator("td");
        Assert.Equal("0.05/min", await cells.Nth(2).InnerTextAsync());
        // Two of the three payment calls failed.
        Assert.Equal("66.7%", await cells.Nth(3).InnerTextAsync());
        Assert.EndsWith("ms", await cells.Nth(5).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await payments.Locator("svg.sparkline polyline").CountAsync());
        await page.ScreenshotIfAskedAsync("services");
        await payments.Locator("a.operation-link").ClickAsync();
        await Assertions.Expect(page.Locator("#results tbody tr")).ToHaveCountAsync(2);
        Assert.Contains("q=", page.Url, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task ServiceMap_DrawsServicesAndTheDatabase_AndAnEdgeOpensItsTraces()
    {
        var page = await ui.NewPageAsync();

        // The database appears once its unpaired client span has waited out the pairing wait.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do
        {
            await page.GoAndWaitAsync("/map", "main h1");
            await page.WaitForSelectorAsync("#service-map, #map-empty");
        }
        while (await page.CountAsync("#service-map g.node.virtual") == 0 && DateTime.UtcNow < deadline && await Delay());

        foreach (var node in new[] { "gateway", "orders", "payments" })
        {
            Assert.Equal(1, await page.CountAsync($"#service-map g.node[data-node='{node}']"));
        }

        Assert.Equal(1, await page.CountAsync("#service-map g.node.virtual"));
        var edge = page.Locator("#service-map g.edge[data-client='orders'][data-server='payments']");
        Assert.Equal(1, await edge.CountAsync());
        var label = await edge.Locator("text").TextContentAsync() ?? string.Empty;
        Assert.Contains("/min", label, StringComparison.Ordinal);
        Assert.Contains("66.7%", label, StringComparison.Ordinal);
        await page.ScreenshotIfAskedAsync("map");
        await edge.Locator("path.hit").ClickAsync(new() { Force = true });
        await Assertions.Expect(page.Locator("#results tbody tr")).ToHaveCountAsync(2);
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(500);
        return true;
    }

    [SkippableFact]
    public async Task DownloadAndUpload_ViewsTheSameTraceOffline()
    {
        var page = await ui.NewPageAsync();
        await page.OpenTraceAsync("/trace/" + ui.SlowTraceId);
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download"));
        var file = Path.Combine(Path.GetTempPath(), $"ariadne-ui-{Guid.NewGuid():N}.json");
        await download.SaveAsAsync(file);
        try
        {
            Assert.Contains("\"resourceSpans\"", await File.ReadAllTextAsync(file), StringComparison.Ordinal);
            await page.GoAndWaitAsync("/upload", "#trace-file");
            await page.SetInputFilesAsync("#trace-file", file);
            await page.WaitForSelectorAsync("#waterfall[data-ready='1']");
            Assert.Equal("7", await page.InnerTextAsync("#trace-span-count"));
            Assert.Equal(ui.SlowTraceId, await page.InnerTextAsync("#trace-id"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [SkippableFact]
    public async Task Upload_NotATrace_SaysWhy()
    {
        var page = await ui.NewPageAsync();
        await page.GoAndWaitAsync("/upload", "#trace-file");
        await page.SetInputFilesAsync("#trace-file", new FilePayload { Name = "x.json", MimeType = "application/json", Buffer = "{\"resourceSpans\": 5}"u8.ToArray() });
        await page.WaitForSelectorAsync("#upload-error");
        Assert.StartsWith("not an OTLP JSON trace", await page.InnerTextAsync("#upload-error"), StringComparison.Ordinal);
    }
}
