using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Ariadne.Server.Configuration;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Receivers;

/// <summary>
/// Transport security with real handshakes on loopback: certificate files replaced while serving,
/// receivers that require a client certificate from a given CA, and an exporter that presents one.
/// </summary>
public sealed class MutualTlsTests
{
    [Fact]
    public async Task ReplacedCertificateFiles_AreServedFromTheNextHandshake()
    {
        using var directory = new TempDirectory();
        using var authority = TestPki.CreateAuthority("test ca");
        using var first = TestPki.Issue(authority, "first", server: true);
        using var second = TestPki.Issue(authority, "second", server: true);
        var (certFile, keyFile) = TestPki.WritePem(first, directory.Path, "server");
        await using var server = await LoopbackServer.StartAsync(configure: o =>
            o.Receivers.Otlp.Protocols.Grpc.Tls = new TlsServerOptions { CertFile = certFile, KeyFile = keyFile });

        Assert.Equal("CN=first", (await ExportAsync(server, clientCertificate: null)).Presented);

        TestPki.WritePem(second, directory.Path, "server");
        File.SetLastWriteTimeUtc(certFile, DateTime.UtcNow.AddSeconds(5));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string? presented;
        do
        {
            await Task.Delay(300);
            presented = (await ExportAsync(server, clientCertificate: null)).Presented;
        }
        while (presented != "CN=second" && DateTime.UtcNow < deadline);

        Assert.Equal("CN=second", presented);
    }

    [Fact]
    public async Task RequiredClientCertificate_FromTheCa_IsAccepted_OthersAreRefused()
    {
        using var directory = new TempDirectory();
        using var authority = TestPki.CreateAuthority("clients ca");
        using var serverCertificate = TestPki.Issue(authority, "localhost", server: true);
        using var client = TestPki.Issue(authority, "collector", server: false);
        using var stranger = TestPki.Issue(TestPki.CreateAuthority("other ca"), "stranger", server: false);
        var (certFile, keyFile) = TestPki.WritePem(serverCertificate, directory.Path, "server");
        var caFile = TestPki.WriteCertificatePem(authority, directory.Path, "ca");
        await using var server = await LoopbackServer.StartAsync(configure: o => o.Receivers.Otlp.Protocols.Grpc.Tls =
            new TlsServerOptions { CertFile = certFile, KeyFile = keyFile, ClientCaFile = caFile, RequireClientCert = true });

        var accepted = await ExportAsync(server, client);
        Assert.Equal("0", accepted.GrpcStatus);

        await Assert.ThrowsAsync<HttpRequestException>(() => ExportAsync(server, clientCertificate: null));
        await Assert.ThrowsAsync<HttpRequestException>(() => ExportAsync(server, stranger));
    }

    [Fact]
    public void RequireClientCert_WithoutACa_IsAConfigurationError()
    {
        using var directory = new TempDirectory();
        using var authority = TestPki.CreateAuthority("ca");
        using var serverCertificate = TestPki.Issue(authority, "localhost", server: true);
        var (certFile, keyFile) = TestPki.WritePem(serverCertificate, directory.Path, "server");
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse($"""
            receivers:
              otlp:
                protocols:
                  grpc:
                    tls:
                      cert_file: {certFile}
                      key_file: {keyFile}
                      require_client_cert: true
            """, "ariadne.yaml"));
        Assert.Contains("receivers.otlp.protocols.grpc.tls.require_client_cert: needs client_ca_file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtlpExporter_WithClientCertificate_DeliversToABackendThatRequiresOne()
    {
        using var directory = new TempDirectory();
        using var authority = TestPki.CreateAuthority("mesh ca");
        using var serverCertificate = TestPki.Issue(authority, "localhost", server: true);
        using var client = TestPki.Issue(authority, "forwarder", server: false);
        var (certFile, keyFile) = TestPki.WritePem(serverCertificate, directory.Path, "server");
        var (clientCert, clientKey) = TestPki.WritePem(client, directory.Path, "client");
        var caFile = TestPki.WriteCertificatePem(authority, directory.Path, "ca");
        await using var backend = await LoopbackServer.StartAsync(configure: o => o.Receivers.Otlp.Protocols.Grpc.Tls =
            new TlsServerOptions { CertFile = certFile, KeyFile = keyFile, ClientCaFile = caFile, RequireClientCert = true });

        var parsed = ConfigLoader.Parse($"""
            exporters:
              otlp:
                endpoint: https://localhost:{backend.Ports.Grpc}
                tls:
                  ca_file: {caFile}
                  cert_file: {clientCert}
                  key_file: {clientKey}
                retry_on_failure:
                  initial_interval: 100ms
            service:
              pipelines:
                traces:
                  receivers: [otlp]
                  exporters: [otlp]
            """, "ariadne.yaml");
        await using var forwarder = await LoopbackServer.StartAsync(configure: o =>
        {
            o.Exporters = parsed.Exporters;
            o.Service = parsed.Service;
        });

        var spans = OtlpRequests.Trace(3);
        using (var response = await forwarder.PostTracesAsync(OtlpRequests.Protobuf("mtls", spans)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        var status = HttpStatusCode.NotFound;
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            using var trace = await backend.Query.GetAsync(new Uri(backend.TempoEndpoint, $"/api/traces/{spans[0].TraceId}"));
            status = trace.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, status);
    }

    private static async Task<(string? Presented, string? GrpcStatus)> ExportAsync(LoopbackServer server, X509Certificate2? clientCertificate)
    {
        string? presented = null;
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            // Trust is not what these tests check: the certificate presented is.
            presented = certificate?.Subject;
            return certificate is not null;
        };
        if (clientCertificate is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCertificate];
        }

        using var http = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"https://127.0.0.1:{server.Ports.Grpc}/opentelemetry.proto.collector.trace.v1.TraceService/Export")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(GrpcCall.Frame(OtlpRequests.Protobuf("tls", OtlpRequests.Trace(1)))),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return (presented, response.TrailingHeaders.TryGetValues("grpc-status", out var values) ? values.Single() : null);
    }
}
