namespace Ariadne.Server.Security;

/// <summary>Why a request was refused before its body was read; the label of <c>ariadne_auth_refused_requests_total</c>.</summary>
internal enum AccessRefusal
{
    MissingKey,
    InvalidKey,
    MissingTenant,
    InvalidTenant,
    TenantMismatch,
}
