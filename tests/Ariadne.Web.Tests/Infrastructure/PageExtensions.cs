using Microsoft.Playwright;

namespace Ariadne.Web.Tests.Infrastructure;

internal static class PageExtensions
{
    /// <summary>Opens a page of the UI and waits until its interactive circuit has rendered <paramref name="selector"/>.</summary>
    public static async Task GoAndWaitAsync(this IPage page, string path, string selector)
    {
        await page.GotoAsync(path);
        await page.WaitForSelectorAsync(selector);
    }

    /// <summary>Opens a trace and waits until the waterfall has drawn its rows.</summary>
    public static async Task OpenTraceAsync(this IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.WaitForSelectorAsync("#waterfall[data-ready='1']");
    }

    public static async Task<int> CountAsync(this IPage page, string selector) => await page.Locator(selector).CountAsync();

    public static Task<string?> AttributeAsync(this IPage page, string selector, string name) => page.Locator(selector).GetAttributeAsync(name);
}
