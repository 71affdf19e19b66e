using System.Diagnostics;
using Ariadne.Server.Configuration;
using Ariadne.Server.Security;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Security;

/// <summary>The <c>auth</c>, <c>multitenancy_enabled</c> and <c>overrides</c> sections, and the warning for exposed listeners without keys.</summary>
public sealed class AuthConfigTests
{
    [Fact]
    public void Parse_KeysAsStringsOrBoundMappings_FromTheEnvironment_AndOverridesFieldByField()
    {
        var options = ConfigLoader.Parse("""
            auth:
              ingest: { keys: [ "${env:INGEST_KEY}", { key: "k-tenant-a", tenant: "a" } ] }
              query:  { keys: [ "q-primary", "q-secondary" ] }
              session_lifetime: 2h
            multitenancy_enabled: true
            overrides:
              defaults: { ingestion_rate_spans: 1000, max_search_duration: 24h }
              per_tenant:
                a: { ingestion_rate_spans: 50, max_spans_per_trace: 5000 }
            """, "ariadne.yaml", name => name == "INGEST_KEY" ? "from-env-0001" : null);
        Assert.Equal("from-env-0001", options.Auth.Ingest.Keys[0].Key);
        Assert.Null(options.Auth.Ingest.Keys[0].Tenant);
        Assert.Equal(("k-tenant-a", "a"), (options.Auth.Ingest.Keys[1].Key, options.Auth.Ingest.Keys[1].Tenant));
        Assert.Equal(2, options.Auth.Query.Keys.Count);
        Assert.Equal(TimeSpan.FromHours(2), options.Auth.SessionLifetime);
        Assert.True(options.MultitenancyEnabled);

        var limits = new Server.Tenancy.TenantLimits(options);
        Assert.Equal(50, limits.For("a").IngestionRateSpans);
        Assert.Equal(5000, limits.For("a").MaxSpansPerTrace);
        Assert.Equal(TimeSpan.FromHours(24), limits.For("a").MaxSearchDuration);
        Assert.Equal(1000, limits.For("b").IngestionRateSpans);
        Assert.Equal(0, limits.For("b").MaxSpansPerTrace);

        var printed = ConfigPrinter.Print(options);
        Assert.DoesNotContain("from-env-0001", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("q-primary", printed, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ListsEveryAuthAndTenantError()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse("""
            auth:
              ingest: { keys: [ "", "dup", "dup", { key: "bound", tenant: "a" } ] }
              query:  { keys: [ { key: "q", tenant: "a/b" } ] }
            overrides:
              per_tenant:
                "..": { max_live_traces: -1 }
                b:
            """, "ariadne.yaml", _ => null));
        Assert.Contains("auth.ingest.keys[0]: expected a non-empty key", error.Message, StringComparison.Ordinal);
        Assert.Contains("auth.ingest.keys[2]: the same key is listed twice", error.Message, StringComparison.Ordinal);
        Assert.Contains("auth.ingest.keys[3].tenant: binding a key to a tenant needs multitenancy_enabled: true", error.Message, StringComparison.Ordinal);
        Assert.Contains("auth.query.keys[0].tenant", error.Message, StringComparison.Ordinal);
        Assert.Contains("overrides.per_tenant...: tenant id '..' is not allowed", error.Message, StringComparison.Ordinal);
        Assert.Contains("overrides.per_tenant....max_live_traces, max_spans_per_trace and max_search_limit: expected 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("overrides.per_tenant.b: empty", error.Message, StringComparison.Ordinal);

        var tail = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse("""
            multitenancy_enabled: true
            processors:
              tail_sampling:
                decision_wait: 1s
                policies: [ { name: all, type: always_sample } ]
            service:
              pipelines:
                traces: { receivers: [otlp], processors: [tail_sampling], exporters: [storage] }
            """, "ariadne.yaml", _ => null));
        Assert.Contains("processors.tail_sampling: tail sampling buffers traces of every tenant together", tail.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unprotected_NamesExposedListenersWithoutKeys_NotLoopbackOnes()
    {
        var options = new AriadneOptions();
        Assert.Empty(ExposureWarning.Unprotected(options, otlpEnabled: true, zipkinEnabled: true));

        options.Receivers.Otlp.Protocols.Grpc.Endpoint = "0.0.0.0:4317";
        options.Query.Endpoint = "192.0.2.10:16686";
        Assert.Equal(["receivers.otlp.protocols.grpc", "query"], ExposureWarning.Unprotected(options, true, true).Select(e => e.Name));

        options.Auth.Ingest.Keys = [new() { Key = "k" }];
        Assert.Equal(["query"], ExposureWarning.Unprotected(options, true, true).Select(e => e.Name));
    }

    [Fact]
    public async Task Serve_OnAnyAddressWithoutKeys_LogsALoudWarning()
    {
        using var directory = new TempDirectory();
        var ports = ServerPorts.Allocate();
        var config = Path.Combine(directory.Path, "ariadne.yaml");
        await File.WriteAllTextAsync(config, ports.ConfigYaml(Path.Combine(directory.Path, "data")).Replace($"127.0.0.1:{ports.Grpc}", $"0.0.0.0:{ports.Grpc}", StringComparison.Ordinal));
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ariadne.dll"), "serve", "--config", config })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            string? line;
            do
            {
                line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            }
            while (line is not null && !line.Contains("SECURITY", StringComparison.Ordinal));

            Assert.NotNull(line);
            Assert.Contains($"receivers.otlp.protocols.grpc listens on 0.0.0.0:{ports.Grpc}", line, StringComparison.Ordinal);
            Assert.Contains("auth.ingest.keys is empty", line, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
