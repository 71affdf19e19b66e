namespace Ariadne.Server.Configuration;

/// <summary>
/// The keys of one side (ingest or query). Every listed key is accepted, so rotation is: add the new
/// key next to the old one (primary and secondary), move the clients, then remove the old one.
/// </summary>
internal sealed class AuthKeysOptions
{
    public List<ApiKeyOptions> Keys { get; set; } = [];
}
