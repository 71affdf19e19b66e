using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Ariadne.Server.Configuration;

/// <summary>
/// The effective configuration as YAML, every default filled in, in the file's own key names.
/// Values under keys that hold secrets (<c>key</c>, <c>keys</c>, <c>api_key</c>, <c>*password</c>,
/// <c>*secret</c>, <c>*token</c>) are printed as <c>&lt;redacted&gt;</c>.
/// </summary>
internal static class ConfigPrinter
{
    public const string Redacted = "<redacted>";

    public static string Print(AriadneOptions options)
    {
        // Show the pipeline in force even when the file left it to the defaults.
        if (options.Service is null)
        {
            options.Service = Pipeline.PipelineBuilder.DefaultService();
            options.Processors ??= [];
            options.Processors.TryAdd("span_limits", Pipeline.PipelineBuilder.DefaultSpanLimits());
        }

        var serializer = new SerializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .WithTypeConverter(new DurationYamlConverter())
            .WithTypeConverter(new ApiKeyYamlConverter())
            // An unset optional value is left out rather than printed empty: read back, it is unset again.
            .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
            .Build();
        return MaskSecrets(serializer.Serialize(options));
    }

    /// <summary>The YAML with every secret value replaced by <see cref="Redacted"/>.</summary>
    public static string MaskSecrets(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        foreach (var document in stream.Documents)
        {
            Mask(document.RootNode, secret: false);
        }

        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();

        // A saved stream ends its document with "...": not useful to a reader.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static void Mask(YamlNode node, bool secret)
    {
        switch (node)
        {
            case YamlScalarNode scalar when secret && !string.IsNullOrEmpty(scalar.Value):
                scalar.Value = Redacted;
                break;
            case YamlSequenceNode sequence:
                foreach (var child in sequence.Children)
                {
                    Mask(child, secret);
                }

                break;
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    Mask(value, secret || IsSecret(((YamlScalarNode)key).Value ?? string.Empty));
                }

                break;
        }
    }

    private static bool IsSecret(string key) =>
        key is "key" or "keys" or "api_key" or "bearer_token" or "authorization" or "x-api-key"
        || key.EndsWith("password", StringComparison.Ordinal)
        || key.EndsWith("secret", StringComparison.Ordinal)
        || key.EndsWith("token", StringComparison.Ordinal);
}
