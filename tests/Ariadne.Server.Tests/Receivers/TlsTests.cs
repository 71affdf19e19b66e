using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Ariadne.Server.Configuration;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Receivers;

public sealed class TlsTests
{
    [Fact]
    public async Task GrpcExport_OverTls_IsAccepted()
    {
        using var directory = new TempDirectory();
        var (certFile, keyFile) = WriteSelfSignedPem(directory.Path);
        await using var server = await LoopbackServer.StartAsync(configure: o =>
            o.Receivers.Otlp.Protocols.Grpc.Tls = new TlsServerOptions { CertFile = certFile, KeyFile = keyFile });

        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.Subject == "CN=localhost";
        using var client = new HttpClient(handler);
        var spans = OtlpRequests.Trace(2);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"https://127.0.0.1:{server.Ports.Grpc}/opentelemetry.proto.collector.trace.v1.TraceService/Export")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(GrpcCall.Frame(OtlpRequests.Protobuf("tls", spans))),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        using var response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());

        using var trace = await server.Query.GetAsync(new Uri(server.TempoEndpoint, $"/api/traces/{spans[0].TraceId}"));
        Assert.Equal(HttpStatusCode.OK, trace.StatusCode);
    }

    private static (string Cert, string Key) WriteSelfSignedPem(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certFile = Path.Combine(directory, "server.crt");
        var keyFile = Path.Combine(directory, "server.key");
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile);
    }
}
