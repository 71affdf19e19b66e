namespace Ariadne.Storage.Compression;

/// <summary>General-purpose compression of a block page; the byte value is stored in each page header.</summary>
internal enum PageCodec : byte
{
    None = 0,
    Deflate = 1,
    Brotli = 2,
    Zstd = 3,
}
