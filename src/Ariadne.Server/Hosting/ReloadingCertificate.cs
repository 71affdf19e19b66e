using System.Security.Cryptography.X509Certificates;

namespace Ariadne.Server.Hosting;

/// <summary>
/// A listener's certificate read from PEM files and read again when either file changes, so a renewed
/// certificate (cert-manager, certbot) is served from the next handshake on. The files are looked at at
/// most once a second; a pair that cannot be read (one file replaced, the other not yet) leaves the
/// previous certificate in service until the next look.
/// </summary>
internal sealed class ReloadingCertificate
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly string _certFile;
    private readonly string _keyFile;
    private readonly Lock _lock = new();
    private X509Certificate2 _current;
    private (DateTime Cert, DateTime Key) _stamps;
    private long _nextCheck;

    public ReloadingCertificate(string certFile, string keyFile)
    {
        _certFile = certFile;
        _keyFile = keyFile;
        _stamps = Stamps();
        _current = Load();
        _nextCheck = Environment.TickCount64 + (long)CheckInterval.TotalMilliseconds;
    }

    public X509Certificate2 Current
    {
        get
        {
            if (Environment.TickCount64 < Volatile.Read(ref _nextCheck))
            {
                return _current;
            }

            lock (_lock)
            {
                if (Environment.TickCount64 >= _nextCheck)
                {
                    _nextCheck = Environment.TickCount64 + (long)CheckInterval.TotalMilliseconds;
                    TryReload();
                }

                return _current;
            }
        }
    }

    private void TryReload()
    {
        try
        {
            var stamps = Stamps();
            if (stamps == _stamps)
            {
                return;
            }

            var loaded = Load();
            _stamps = stamps;

            // The previous certificate may still be in use by a handshake under way; it is left to the GC.
            _current = loaded;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
        }
    }

    private (DateTime, DateTime) Stamps() => (File.GetLastWriteTimeUtc(_certFile), File.GetLastWriteTimeUtc(_keyFile));

    private X509Certificate2 Load()
    {
        using var pem = X509Certificate2.CreateFromPemFile(_certFile, _keyFile);

        // An ephemeral key from PEM cannot be used by the TLS stack on every platform; a PKCS#12 round trip gives it a persisted one.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
