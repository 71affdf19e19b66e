using Microsoft.Playwright;

namespace Ariadne.Web.Tests.Infrastructure;

/// <summary>
/// Headless Chromium from the system package, driven by Playwright. Browsers cannot be downloaded here,
/// so the tests use the installed one; without it they are skipped on a workstation and fail in CI.
/// </summary>
internal static class Browser
{
    public const string DefaultPath = "/usr/bin/chromium";

    public static string ExecutablePath => Environment.GetEnvironmentVariable("ARIADNE_CHROMIUM") is { Length: > 0 } path ? path : DefaultPath;

    public static bool IsInstalled => File.Exists(ExecutablePath);

    /// <summary>Skips the test when the browser is missing, unless <c>CI</c> is set: then it fails, saying what to install.</summary>
    public static void Require()
    {
        if (IsInstalled)
        {
            return;
        }

        var message = $"The UI tests need Chromium at {ExecutablePath} (Debian: apt-get install chromium; or set ARIADNE_CHROMIUM).";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail(message);
        }

        Skip.If(true, message);
    }

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // The sandbox needs user namespaces, which containers and root accounts often lack.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
        return (playwright, browser);
    }
}
