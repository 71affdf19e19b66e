namespace Ariadne.Server.Security;

/// <summary>What a UI login cookie proves: which read key was entered (by its hash) and the tenant chosen or bound.</summary>
internal sealed record UiSession(byte[] KeyHash, string? Tenant);
