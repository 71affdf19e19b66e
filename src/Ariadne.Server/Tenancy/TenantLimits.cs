using System.Collections.Concurrent;
using Ariadne.Server.Configuration;

namespace Ariadne.Server.Tenancy;

/// <summary>
/// The limits in force for each tenant: its <c>overrides.per_tenant</c> entry field by field, then
/// <c>overrides.defaults</c>, then none (0). Resolved once per tenant.
/// </summary>
internal sealed class TenantLimits
{
    private readonly OverridesOptions _overrides;
    private readonly TimeSpan _retention;
    private readonly ConcurrentDictionary<string, ResolvedLimits> _resolved = new(StringComparer.Ordinal);

    public TenantLimits(AriadneOptions options)
    {
        _overrides = options.Overrides;
        _retention = options.Storage.Retention.MaxAge;
    }

    public ResolvedLimits For(string tenant) => _resolved.GetOrAdd(tenant, Resolve);

    public TimeSpan RetentionMaxAge(string tenant) => For(tenant).RetentionMaxAge;

    private ResolvedLimits Resolve(string tenant)
    {
        var own = _overrides.PerTenant.GetValueOrDefault(tenant) ?? new TenantLimitsOptions();
        var defaults = _overrides.Defaults;
        return new ResolvedLimits(
            own.IngestionRateSpans ?? defaults.IngestionRateSpans ?? 0,
            own.IngestionRateBytes ?? defaults.IngestionRateBytes ?? 0,
            own.MaxLiveTraces ?? defaults.MaxLiveTraces ?? 0,
            own.MaxSpansPerTrace ?? defaults.MaxSpansPerTrace ?? 0,
            own.MaxSearchDuration ?? defaults.MaxSearchDuration ?? TimeSpan.Zero,
            own.MaxSearchLimit ?? defaults.MaxSearchLimit ?? 0,
            own.RetentionMaxAge ?? defaults.RetentionMaxAge ?? _retention);
    }
}
