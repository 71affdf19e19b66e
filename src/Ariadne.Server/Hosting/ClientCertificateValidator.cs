using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Ariadne.Server.Hosting;

/// <summary>
/// Accepts a client certificate only when it chains to the CA certificates of <c>client_ca_file</c>
/// (and only those: the system store is not consulted), is within its validity period, and is meant
/// for client authentication when it says what it is meant for.
/// </summary>
internal sealed class ClientCertificateValidator
{
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2Collection _authorities = [];

    public ClientCertificateValidator(string caFile) => _authorities.ImportFromPemFile(caFile);

    public bool Validate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        using var own = new X509Chain();
        own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        own.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        own.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(ClientAuthentication));
        return own.Build(certificate);
    }
}
