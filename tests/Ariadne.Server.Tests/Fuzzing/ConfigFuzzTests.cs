using System.Text;
using System.Text.RegularExpressions;
using Ariadne.Protocols.Tests.Fuzzing;
using Ariadne.Server.Configuration;

namespace Ariadne.Server.Tests.Fuzzing;

/// <summary>
/// The YAML configuration loader over 100,000 mutations of the documented examples: a file either loads
/// or fails with a <see cref="ConfigurationException"/> naming where, never another exception, a hang or
/// an allocation out of proportion to the file (anchors and aliases included).
/// </summary>
[Collection(FuzzingCollection.Name)]
public sealed partial class ConfigFuzzTests
{
    private static readonly byte[][] Tokens =
    [
        .. new[]
        {
            "&a ", "*a", "<<: *a", "!!binary ", "!!int ", "!!map ", "!custom ", "{", "}", "[", "]", "- ", ": ", ", ", "${ARIADNE_X}", "${env:ARIADNE_X}",
            "${", "$$", "\t", "\n", "\n  ", "---\n", "...\n", "? ", "|\n", ">-\n", "\"", "'", "\\x", "#", "~", "null", "-1", "1e400", "99999999999999999999",
            "1h30m", "-5s", "0.0.0.0:99999", "[::1]:4317", "key_file: ", "password: ", "\u00e9", "\ud83d\ude00", "\0",
        }.Select(Encoding.UTF8.GetBytes),
    ];

    [Fact]
    public void Parse_MutatedDocumentedExamples_LoadOrFailWithAConfigurationException()
    {
        var seeds = new List<byte[]>();
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fuzzing", "configuration.md"));
        foreach (Match block in YamlBlock().Matches(text))
        {
            seeds.Add(Encoding.UTF8.GetBytes(block.Groups[1].Value));
        }

        Assert.True(seeds.Count >= 5, "the configuration reference should hold YAML examples to start from");
        seeds.Add(Encoding.UTF8.GetBytes("base: &base\n  endpoint: localhost:4317\nreceivers:\n  otlp:\n    protocols:\n      grpc: *base\n"));
        var summary = FuzzLoop.Run("YAML configuration", new Mutator(FuzzLoop.Seed(6), seeds, Tokens, maxLength: 64 * 1024), input =>
        {
            ConfigLoader.Parse(Encoding.UTF8.GetString(input), "fuzz.yaml", static name => name == "ARIADNE_X" ? "value" : null);
            return true;
        }, allocationBase: 16 * 1024 * 1024, allocationPerInputByte: 2048, isDocumentedError: e => e is ConfigurationException);
        Assert.InRange(summary.Accepted, 1, summary.Inputs - 1);
    }

    [Theory]
    [InlineData("analysis:\n  span_metrics:\n    dimensions:\n", 3)]
    [InlineData("receivers:\n  otlp:\n    protocols:\n      grpc:\n", 4)]
    [InlineData("storage:\n", 1)]
    public void Parse_EmptyValueWhereOneIsRequired_NamesTheLine(string yaml, int line)
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse(yaml, "ariadne.yaml"));
        Assert.StartsWith($"ariadne.yaml:{line}:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_StrayBytesAfterDocumentEnd_IsNotValidYaml()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse(Encoding.UTF8.GetString(Convert.FromBase64String("Li4uCmH/////Og==")), "ariadne.yaml"));
        Assert.StartsWith("ariadne.yaml:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyListEntry_NamesItsKey()
    {
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse("analysis:\n  span_metrics:\n    dimensions:\n      - name: a\n      -\n", "ariadne.yaml"));
        Assert.Equal("ariadne.yaml: analysis.span_metrics.dimensions[1]: empty list entry", error.Message);
    }

    [Theory]
    [InlineData("{a: ", "}")]
    [InlineData("[", "]")]
    [InlineData("- ", "")]
    public void Parse_DeeplyNestedCollections_AreRefusedNotAStackOverflow(string open, string close)
    {
        var yaml = "receivers: " + string.Concat(Enumerable.Repeat(open, 5000)) + "x" + string.Concat(Enumerable.Repeat(close, 5000));
        var error = Assert.Throws<ConfigurationException>(() => ConfigLoader.Parse(yaml, "ariadne.yaml"));
        Assert.StartsWith("ariadne.yaml:", error.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex("```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
