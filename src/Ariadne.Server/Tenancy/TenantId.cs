namespace Ariadne.Server.Tenancy;

/// <summary>
/// Tenant names as Tempo (and Cortex, Mimir) accept them in <c>X-Scope-OrgID</c>: at most 150 bytes of
/// letters, digits and <c>! - _ . * ' ( )</c>, and neither <c>.</c> nor <c>..</c>. Every allowed
/// character is also safe in a directory name, which is where a tenant's data lives.
/// </summary>
internal static class TenantId
{
    public const int MaxLength = 150;

    public const string Header = "X-Scope-OrgID";

    /// <summary>The tenant while multi-tenancy is off; the name Tempo uses for the same purpose.</summary>
    public const string Single = "single-tenant";

    /// <summary>Null when <paramref name="tenant"/> is valid, otherwise why not.</summary>
    public static string? Problem(string tenant)
    {
        if (tenant.Length == 0)
        {
            return "tenant id is empty";
        }

        if (tenant.Length > MaxLength)
        {
            return $"tenant id is longer than {MaxLength} characters";
        }

        if (tenant is "." or "..")
        {
            return $"tenant id '{tenant}' is not allowed";
        }

        foreach (var c in tenant)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('!' or '-' or '_' or '.' or '*' or '\'' or '(' or ')'))
            {
                return $"tenant id contains the character {(c is >= ' ' and <= '~' ? $"'{c}'" : $"U+{(int)c:X4}")}; allowed are letters, digits and ! - _ . * ' ( )";
            }
        }

        return null;
    }

    public static bool IsValid(string tenant) => Problem(tenant) is null;
}
