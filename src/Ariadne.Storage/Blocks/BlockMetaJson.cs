using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ariadne.Storage.Blocks;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(BlockMeta))]
internal sealed partial class BlockMetaJson : JsonSerializerContext
{
    public static byte[] Serialize(BlockMeta meta) => JsonSerializer.SerializeToUtf8Bytes(meta, Default.BlockMeta);

    public static BlockMeta Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, Default.BlockMeta) ?? throw new InvalidDataException("meta.json is empty");
}
