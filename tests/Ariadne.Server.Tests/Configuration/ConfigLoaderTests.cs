using System.Diagnostics;
using Ariadne.Server.Configuration;
using Ariadne.Server.Tests.Infrastructure;

namespace Ariadne.Server.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    [Fact]
    public void Load_NoFile_GivesDefaults()
    {
        var options = ConfigLoader.Load(null);
        Assert.Equal("localhost:4317", options.Receivers.Otlp.Protocols.Grpc.Endpoint);
        Assert.Equal("localhost:4318", options.Receivers.Otlp.Protocols.Http.Endpoint);
        Assert.Equal("localhost:16686", options.Query.Endpoint);
        Assert.Equal("localhost:3200", options.Query.TempoEndpoint);
        Assert.Equal("./data", options.Storage.Path);
        Assert.Equal(64L * 1024 * 1024, options.Receivers.Otlp.Protocols.Http.MaxRequestBodySize);
    }

    [Fact]
    public void Parse_CollectorShapedFile_SetsOptions()
    {
        var options = ConfigLoader.Parse("""
            receivers:
              otlp:
                protocols:
                  grpc:
                    endpoint: 0.0.0.0:14317
                    max_recv_msg_size_mib: 16
                  http:
                    endpoint: 127.0.0.1:14318
                    max_request_body_size: 1048576
            storage:
              path: /var/lib/ariadne
            """, "ariadne.yaml");
        Assert.Equal("0.0.0.0:14317", options.Receivers.Otlp.Protocols.Grpc.Endpoint);
        Assert.Equal(16, options.Receivers.Otlp.Protocols.Grpc.MaxRecvMsgSizeMib);
        Assert.Equal(1048576, options.Receivers.Otlp.Protocols.Http.MaxRequestBodySize);
        Assert.Equal("/var/lib/ariadne", options.Storage.Path);
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("250ms", 250)]
    [InlineData("00:02:00", 120_000)]
    public void Parse_Durations_AcceptCollectorAndTimeSpanForms(string text, int milliseconds)
    {
        var options = ConfigLoader.Parse($"storage:\n  block:\n    max_duration: {text}\n", "ariadne.yaml");
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), options.Storage.Block.MaxDuration);
    }

    [Fact]
    public void Parse_TraceIdlePeriod_DefaultsToTenSecondsAndRejectsNegative()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), ConfigLoader.Parse("storage:\n  path: ./d\n", "ariadne.yaml").Storage.Block.TraceIdlePeriod);
        Assert.Equal(TimeSpan.FromSeconds(2), ConfigLoader.Parse("storage:\n  block:\n    trace_idle_period: 2s\n", "ariadne.yaml").Storage.Block.TraceIdlePeriod);
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse("storage:\n  block:\n    trace_idle_period: -00:00:01\n", "ariadne.yaml"));
        Assert.Contains("storage.block.trace_idle_period", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CutBlockSpans_Defaults65536AndRejectsZero()
    {
        Assert.Equal(65_536, ConfigLoader.Parse("storage:\n  path: ./d\n", "ariadne.yaml").Storage.Block.CutBlockSpans);
        Assert.Equal(10_000, ConfigLoader.Parse("storage:\n  block:\n    cut_block_spans: 10000\n", "ariadne.yaml").Storage.Block.CutBlockSpans);
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse("storage:\n  block:\n    cut_block_spans: 0\n", "ariadne.yaml"));
        Assert.Contains("storage.block.cut_block_spans: expected a positive number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadDuration_NamesTheLine()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse("storage:\n  block:\n    max_duration: five minutes\n", "ariadne.yaml"));
        Assert.StartsWith("ariadne.yaml:3:19: expected a duration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownKey_NamesKeyLineAndColumn()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse("""
            storage:
              path: ./data
              retension: 14d
            """, "ariadne.yaml"));
        Assert.Equal("ariadne.yaml:3:3: unknown key 'retension'", error.Message);
    }

    [Fact]
    public void Parse_SeveralBadValues_ListsEveryError()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse("""
            receivers:
              otlp:
                protocols:
                  grpc:
                    endpoint: "localhost"
                    max_recv_msg_size_mib: 0
            query:
              endpoint: localhost:4318
            """, "ariadne.yaml"));
        var lines = error.Message.Split(Environment.NewLine);
        Assert.Contains(lines, l => l.StartsWith("receivers.otlp.protocols.grpc.endpoint:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("receivers.otlp.protocols.grpc.max_recv_msg_size_mib:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("query.endpoint: port 4318 is already used", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Serve_InvalidConfig_ExitsNonZeroWithTheError()
    {
        using var directory = new TempDirectory();
        var config = Path.Combine(directory.Path, "bad.yaml");
        await File.WriteAllTextAsync(config, "receivers:\n  zipkin_typo: {}\n");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ariadne.dll"), "serve", "--config", config })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("unknown key 'zipkin_typo'", stderr, StringComparison.Ordinal);
    }
}
