using System.Net;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Security;

/// <summary>The UI login: a form, a protected HTTP-only cookie, local redirects only, and logout.</summary>
public sealed class LoginTests
{
    [Fact]
    public async Task LoginPage_IsAFormWithoutScript_UnderAStrictContentSecurityPolicy()
    {
        await using var server = await AuthServer.StartAsync();
        using var client = NoRedirects();
        using var page = await client.GetAsync(new Uri(server.QueryEndpoint, "/login?returnUrl=%2Fservices"));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("<form method=\"post\" action=\"/login\">", html, StringComparison.Ordinal);
        Assert.Contains("name=\"key\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"/services\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
        using var css = await client.GetAsync(new Uri(server.QueryEndpoint, "/login.css"));
        Assert.Equal("text/css", css.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task BrowserPage_RedirectsToLogin_ApiCallGets401Json()
    {
        await using var server = await AuthServer.StartAsync();
        using var client = NoRedirects();
        using var page = new HttpRequestMessage(HttpMethod.Get, new Uri(server.QueryEndpoint, "/trace/abc?x=1"));
        page.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        using var redirected = await client.SendAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
        Assert.Equal("/login?returnUrl=%2Ftrace%2Fabc%3Fx%3D1", redirected.Headers.Location!.OriginalString);

        using var api = new HttpRequestMessage(HttpMethod.Get, new Uri(server.QueryEndpoint, "/api/services"));
        api.Headers.Accept.ParseAdd("text/html");
        using var refused = await client.SendAsync(api);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/json", refused.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Login_WithAReadKey_SetsAnHttpOnlyStrictCookie_ThatReadsTheApi_AndSurvivesARestart()
    {
        using var data = new TempDirectory();
        string cookie;
        await using (var server = await AuthServer.StartAsync(data.Path))
        {
            using var client = NoRedirects();
            using var wrong = await client.PostAsync(new Uri(server.QueryEndpoint, "/login"), Form(("key", "guess"), ("returnUrl", "/services")));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.False(wrong.Headers.Contains("Set-Cookie"));
            Assert.Contains("not a valid read key", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            using var ingestKey = await client.PostAsync(new Uri(server.QueryEndpoint, "/login"), Form(("key", AuthServer.IngestPrimary)));
            Assert.Equal(HttpStatusCode.Unauthorized, ingestKey.StatusCode);

            using var login = await client.PostAsync(new Uri(server.QueryEndpoint, "/login"), Form(("key", AuthServer.QuerySecondary), ("returnUrl", "/services?x=1")));
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            Assert.Equal("/services?x=1", login.Headers.Location!.OriginalString);
            var setCookie = login.Headers.GetValues("Set-Cookie").Single();
            Assert.StartsWith("ariadne_session=", setCookie, StringComparison.Ordinal);
            Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("path=/", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("secure", setCookie, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(AuthServer.QuerySecondary, setCookie, StringComparison.Ordinal);
            cookie = setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];

            Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(client, new Uri(server.QueryEndpoint, "/api/services"), cookie));
            Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(client, new Uri(server.QueryEndpoint, "/api/services"), cookie[..^4] + "AAAA"));

            using var logout = await client.PostAsync(new Uri(server.QueryEndpoint, "/logout"), null);
            Assert.Equal(HttpStatusCode.SeeOther, logout.StatusCode);
            Assert.Contains("ariadne_session=;", logout.Headers.GetValues("Set-Cookie").Single(), StringComparison.Ordinal);
        }

        await using (var restarted = await AuthServer.StartAsync(data.Path))
        {
            using var client = NoRedirects();
            Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(client, new Uri(restarted.QueryEndpoint, "/api/services"), cookie));
        }

        // Removing the key from the configuration ends the sessions opened with it.
        await using (var rotated = await AuthServer.StartAsync(data.Path, o => o.Auth.Query.Keys.RemoveAll(k => k.Key == AuthServer.QuerySecondary)))
        {
            using var client = NoRedirects();
            Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(client, new Uri(rotated.QueryEndpoint, "/api/services"), cookie));
        }
    }

    [Theory]
    [InlineData("//evil.example/x")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("")]
    public async Task Login_ReturnUrlOffThisServer_RedirectsHome(string returnUrl)
    {
        await using var server = await AuthServer.StartAsync();
        using var client = NoRedirects();
        using var login = await client.PostAsync(new Uri(server.QueryEndpoint, "/login"), Form(("key", AuthServer.QueryPrimary), ("returnUrl", returnUrl)));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Login_PostedFromAnotherSite_IsRefused()
    {
        await using var server = await AuthServer.StartAsync();
        using var client = NoRedirects();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.QueryEndpoint, "/login")) { Content = Form(("key", AuthServer.QueryPrimary)) };
        request.Headers.TryAddWithoutValidation("Origin", "https://evil.example");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    private static HttpClient NoRedirects() => new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    private static async Task<HttpStatusCode> WithCookieAsync(HttpClient client, Uri uri, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.TryAddWithoutValidation("Cookie", cookie);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
