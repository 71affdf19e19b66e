using System.Runtime.InteropServices;

namespace Ariadne.Storage.Compression;

/// <summary>The system's libzstd, when present; callers fall back to a BCL codec when it is not.</summary>
internal static partial class ZstdNative
{
    private const string Library = "libzstd.so.1";

    private static readonly Lazy<bool> Available = new(Probe);

    public static bool IsAvailable => Available.Value;

    [LibraryImport(Library, EntryPoint = "ZSTD_compressBound")]
    public static partial nuint CompressBound(nuint srcSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_compress")]
    public static unsafe partial nuint Compress(byte* dst, nuint dstCapacity, byte* src, nuint srcSize, int compressionLevel);

    [LibraryImport(Library, EntryPoint = "ZSTD_decompress")]
    public static unsafe partial nuint Decompress(byte* dst, nuint dstCapacity, byte* src, nuint compressedSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_createCCtx")]
    public static partial nint CreateCompressionContext();

    [LibraryImport(Library, EntryPoint = "ZSTD_compressCCtx")]
    public static unsafe partial nuint CompressWithContext(nint context, byte* dst, nuint dstCapacity, byte* src, nuint srcSize, int compressionLevel);

    [LibraryImport(Library, EntryPoint = "ZSTD_createDCtx")]
    public static partial nint CreateDecompressionContext();

    [LibraryImport(Library, EntryPoint = "ZSTD_decompressDCtx")]
    public static unsafe partial nuint DecompressWithContext(nint context, byte* dst, nuint dstCapacity, byte* src, nuint compressedSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_isError")]
    public static partial uint IsError(nuint code);

    private static bool Probe()
    {
        try
        {
            return NativeLibrary.TryLoad(Library, out _) && CompressBound(1) > 0;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }
}
