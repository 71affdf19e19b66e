namespace Ariadne.Server.Security;

/// <summary>A configured key, kept only as its SHA-256 so the configured text does not stay in memory as a string to compare.</summary>
internal sealed record ApiKey(byte[] Hash, string? Tenant, int Index);
