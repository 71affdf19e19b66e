namespace Ariadne.Storage.Blocks.V1;

/// <summary>A block failed a check while being read as one of several; says which one.</summary>
internal sealed class DamagedBlockException : IOException
{
    public DamagedBlockException(BlockReaderV1 block, Exception inner)
        : base($"block {Path.GetFileName(block.Directory)} is damaged: {inner.Message}", inner)
    {
        Block = block;
    }

    public BlockReaderV1 Block { get; }
}
