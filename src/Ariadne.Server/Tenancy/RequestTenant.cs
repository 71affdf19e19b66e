using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Tenancy;

/// <summary>
/// The tenant a request acts for, decided once by the access check (from the key's binding, the UI
/// session or <c>X-Scope-OrgID</c>) and read by every handler that touches data.
/// </summary>
internal sealed class RequestTenant
{
    private static readonly RequestTenant SingleTenant = new(TenantId.Single);

    private RequestTenant(string tenant) => Tenant = tenant;

    public string Tenant { get; }

    /// <summary>The caller's tenant; <see cref="TenantId.Single"/> when multi-tenancy is off or nothing was decided.</summary>
    public static string From(HttpContext context) => context.Features.Get<RequestTenant>()?.Tenant ?? TenantId.Single;

    public static void Set(HttpContext context, string tenant) => context.Features.Set(tenant == TenantId.Single ? SingleTenant : new RequestTenant(tenant));
}
