namespace Ariadne.Server.Configuration;

/// <summary>One API key: written as a plain string, or as <c>{ key: …, tenant: … }</c> to bind it to a tenant.</summary>
internal sealed class ApiKeyOptions
{
    public string Key { get; set; } = string.Empty;

    /// <summary>The only tenant this key may write or read; null lets the client name it in <c>X-Scope-OrgID</c>.</summary>
    public string? Tenant { get; set; }
}
