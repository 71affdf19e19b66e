namespace Ariadne.Server.Configuration;

/// <summary>Per-tenant limits, named as Tempo names them: defaults, then entries per tenant that override them field by field.</summary>
internal sealed class OverridesOptions
{
    public TenantLimitsOptions Defaults { get; set; } = new();

    public Dictionary<string, TenantLimitsOptions> PerTenant { get; set; } = new(StringComparer.Ordinal);
}
