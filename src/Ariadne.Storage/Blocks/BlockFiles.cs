namespace Ariadne.Storage.Blocks;

/// <summary>File names inside a block folder; the folder is named by the block id and holds one encoding version.</summary>
internal static class BlockFiles
{
    public const string Data = "data";
    public const string Index = "index";
    public const string Bloom = "bloom";
    public const string Meta = "meta.json";
    public const string MetaTemporary = "meta.json.tmp";
}
