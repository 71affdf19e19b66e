using Microsoft.Playwright;

namespace Ariadne.Web.Tests.Infrastructure;

internal static class PageExtensions
{
    /// <summary>
    /// Waits until the page's address matches <paramref name="pattern"/>. The UI moves between pages
    /// with the History API; <c>WaitForURLAsync</c> checks the address and then listens for a
    /// navigation, so one that lands between the two is missed (seen on a loaded machine: the address
    /// was right and the wait ran out). This polls the address instead.
    /// </summary>
    public static Task WaitForAddressAsync(this IPage page, string pattern) =>
        Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(pattern), new() { Timeout = 15_000 });

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

    /// <summary>
    /// With <c>ARIADNE_UI_SCREENSHOTS</c> set to a folder, saves the page there as <paramref name="name"/>.png
    /// (how the pictures in docs/images are made); otherwise does nothing.
    /// </summary>
    public static async Task ScreenshotIfAskedAsync(this IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("ARIADNE_UI_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png") });
        }
    }

    public static async Task<int> CountAsync(this IPage page, string selector) => await page.Locator(selector).CountAsync();

    public static Task<string?> AttributeAsync(this IPage page, string selector, string name) => page.Locator(selector).GetAttributeAsync(name);
}
