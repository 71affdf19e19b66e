using System.Security.Cryptography;
using System.Text;
using Ariadne.Server.Configuration;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Security;

/// <summary>
/// The UI's login cookie, as the .NET Aspire dashboard keeps its browser token: an HTTP-only,
/// SameSite=Strict cookie holding a Data Protection token (encrypted and signed, with an expiry).
/// The token names the read key by its hash, so removing the key from the configuration ends its
/// sessions too.
/// </summary>
internal sealed class SessionTokens
{
    public const string CookieName = "ariadne_session";

    private readonly ITimeLimitedDataProtector _protector;
    private readonly TimeSpan _lifetime;

    public SessionTokens(IDataProtectionProvider protection, AriadneOptions options)
    {
        _protector = protection.CreateProtector("Ariadne.UiSession.v1").ToTimeLimitedDataProtector();
        _lifetime = options.Auth.SessionLifetime;
    }

    public void SignIn(HttpContext context, byte[] keyHash, string? tenant)
    {
        var payload = Convert.ToBase64String(keyHash) + "\n" + (tenant ?? string.Empty);
        var token = _protector.Protect(payload, _lifetime);
        context.Response.Cookies.Append(CookieName, token, CookieOptions(context, _lifetime));
    }

    public static void SignOut(HttpContext context) =>
        context.Response.Cookies.Delete(CookieName, CookieOptions(context, null));

    public UiSession? Read(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var token) || string.IsNullOrEmpty(token) || token.Length > 8192)
        {
            return null;
        }

        try
        {
            var payload = _protector.Unprotect(token);
            var newline = payload.IndexOf('\n', StringComparison.Ordinal);
            if (newline < 0)
            {
                return null;
            }

            var hash = Convert.FromBase64String(payload[..newline]);
            var tenant = payload[(newline + 1)..];
            return hash.Length == SHA256.HashSizeInBytes ? new UiSession(hash, tenant.Length == 0 ? null : tenant) : null;
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            // Expired, tampered with, or protected by a key this server no longer has: not signed in.
            return null;
        }
    }

    private static CookieOptions CookieOptions(HttpContext context, TimeSpan? lifetime) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/",
        MaxAge = lifetime,
        IsEssential = true,
    };

    /// <summary>The SHA-256 of an empty key: what a session records when the read side has no keys.</summary>
    public static byte[] OpenKeyHash { get; } = SHA256.HashData(Encoding.UTF8.GetBytes(string.Empty));
}
