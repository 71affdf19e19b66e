using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Ariadne.Server.Configuration;

/// <summary>An API key written either as a plain string or as a <c>{ key: …, tenant: … }</c> mapping.</summary>
internal sealed class ApiKeyYamlConverter : IYamlTypeConverter
{
    public bool Accepts(Type type) => type == typeof(ApiKeyOptions);

    public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
    {
        if (parser.TryConsume<Scalar>(out var plain))
        {
            return new ApiKeyOptions { Key = plain.Value };
        }

        var start = parser.Consume<MappingStart>();
        var key = new ApiKeyOptions();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var name = parser.Consume<Scalar>();
            var value = parser.Consume<Scalar>();
            switch (name.Value)
            {
                case "key":
                    key.Key = value.Value;
                    break;
                case "tenant":
                    key.Tenant = value.Value;
                    break;
                default:
                    throw new YamlException(name.Start, name.End, $"unknown key '{name.Value}' in an API key; expected key and tenant");
            }
        }

        if (key.Key.Length == 0)
        {
            throw new YamlException(start.Start, start.End, "an API key mapping needs a non-empty 'key'");
        }

        return key;
    }

    public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer)
    {
        var key = (ApiKeyOptions)value!;
        if (key.Tenant is null)
        {
            emitter.Emit(new Scalar(key.Key));
            return;
        }

        emitter.Emit(new MappingStart());
        emitter.Emit(new Scalar("key"));
        emitter.Emit(new Scalar(key.Key));
        emitter.Emit(new Scalar("tenant"));
        emitter.Emit(new Scalar(key.Tenant));
        emitter.Emit(new MappingEnd());
    }
}
