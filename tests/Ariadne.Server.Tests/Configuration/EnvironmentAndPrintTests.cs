using Ariadne.Server.Configuration;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Configuration;

/// <summary><c>${env:…}</c> in config files, <c>ariadne config validate</c> and <c>ariadne config print</c>.</summary>
public sealed class EnvironmentAndPrintTests
{
    private static readonly Dictionary<string, string> Environment = new() { ["ARIADNE_TEST_PORT"] = "14999", ["ARIADNE_TEST_DIR"] = "/srv/traces" };

    [Fact]
    public void Parse_EnvReferences_AreReplaced_DefaultsApply_AndDollarDollarIsADollar()
    {
        var options = ConfigLoader.Parse("""
            # ${env:NOT_NEEDED_IN_A_COMMENT}
            receivers:
              otlp:
                protocols:
                  grpc:
                    endpoint: 127.0.0.1:${env:ARIADNE_TEST_PORT}
                  http:
                    endpoint: ${env:ARIADNE_TEST_UNSET:-127.0.0.1:14998}
            storage:
              path: ${env:ARIADNE_TEST_DIR}/$$cost
            """, "ariadne.yaml", Lookup);
        Assert.Equal("127.0.0.1:14999", options.Receivers.Otlp.Protocols.Grpc.Endpoint);
        Assert.Equal("127.0.0.1:14998", options.Receivers.Otlp.Protocols.Http.Endpoint);
        Assert.Equal("/srv/traces/$cost", options.Storage.Path);
    }

    [Fact]
    public void Parse_UnsetVariableWithoutDefault_IsAnErrorNamingItsPlace()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse("storage:\n  path: ${env:ARIADNE_TEST_MISSING}\n  x: ${env:1bad}\n", "ariadne.yaml", Lookup));
        var lines = error.Message.Split(System.Environment.NewLine);
        Assert.Equal("ariadne.yaml:2:9: environment variable ARIADNE_TEST_MISSING is not set; set it or give a default as ${env:ARIADNE_TEST_MISSING:-value}", lines[0]);
        Assert.StartsWith("ariadne.yaml:3:6: '${env:1bad}' does not name an environment variable", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Print_DefaultConfig_ReadsBackToTheSameOptions_WithCollectorDurations()
    {
        var printed = ConfigPrinter.Print(ConfigLoader.Load(null));
        Assert.Contains("max_age: 14d", printed, StringComparison.Ordinal);
        Assert.Contains("search_timeout: 30s", printed, StringComparison.Ordinal);
        Assert.Contains("endpoint: localhost:9411", printed, StringComparison.Ordinal);
        var again = ConfigLoader.Parse(printed, "printed.yaml");
        Assert.Equal(printed, ConfigPrinter.Print(again));
    }

    [Fact]
    public void MaskSecrets_HidesKeysPasswordsAndTokens_ButNotFilePaths()
    {
        var masked = ConfigPrinter.MaskSecrets("""
            auth:
              ingest:
                keys: [k-primary, {key: k-tenant-a, tenant: a}]
              bearer_token: abc
            exporters:
              otlp:
                password: hunter2
                tls:
                  key_file: /etc/ariadne/server.key
            """);
        Assert.DoesNotContain("k-primary", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("k-tenant-a", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", masked, StringComparison.Ordinal);
        Assert.DoesNotContain("abc", masked, StringComparison.Ordinal);
        Assert.Contains("key_file: /etc/ariadne/server.key", masked, StringComparison.Ordinal);
        Assert.Contains(ConfigPrinter.Redacted, masked, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigCommands_ValidateAndPrint_ReportErrorsAndMaskNothingTheyShouldNot()
    {
        using var directory = new TempDirectory();
        var good = Path.Combine(directory.Path, "good.yaml");
        await File.WriteAllTextAsync(good, "query:\n  max_search_limit: 50\n");
        var (code, output, error) = await CliProcess.RunAsync("config", "validate", good);
        Assert.True(code == 0, error);
        Assert.Equal("good.yaml: valid", output.Trim());

        var bad = Path.Combine(directory.Path, "bad.yaml");
        await File.WriteAllTextAsync(bad, "query:\n  max_search_limit: 0\n  search_timeout: -00:00:01\n");
        (code, _, error) = await CliProcess.RunAsync("config", "validate", bad);
        Assert.Equal(2, code);
        Assert.Contains("query.max_search_limit: expected a number from 1 to 100000", error, StringComparison.Ordinal);
        Assert.Contains("query.search_timeout: expected a positive duration", error, StringComparison.Ordinal);

        (code, output, error) = await CliProcess.RunAsync("config", "print", "--config", good);
        Assert.True(code == 0, error);
        Assert.Contains("max_search_limit: 50", output, StringComparison.Ordinal);
        Assert.Contains("trace_idle_period: 10s", output, StringComparison.Ordinal);
    }

    private static string? Lookup(string name) => Environment.GetValueOrDefault(name);
}
