using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Ariadne.Pipeline.Exporters;

/// <summary>Puts an exporter's <see cref="ClientTlsSettings"/> on the TLS options of its HTTP handler.</summary>
internal static class ClientTls
{
    public static void Apply(SslClientAuthenticationOptions ssl, ClientTlsSettings tls)
    {
        if (tls.CertFile is not null && tls.KeyFile is not null)
        {
            using var pem = X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile);

            // An ephemeral key from PEM cannot be used by the TLS stack on every platform; a PKCS#12 round trip gives it a persisted one.
            ssl.ClientCertificates = [X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null)];
        }

        if (tls.InsecureSkipVerify)
        {
            // The operator asked for it by name (insecure_skip_verify), for test rigs and self-signed labs; documented as unsafe.
#pragma warning disable CA5359
            ssl.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (tls.CaFile is not null)
        {
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(tls.CaFile);
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                // The host name is still checked; only the trust anchor changes.
                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
        }
    }
}
