using System.IO.Compression;

namespace Ariadne.Storage.Compression;

/// <summary>Compresses and decompresses page payloads with the codec named in the page header.</summary>
internal static class PageCompressor
{
    /// <summary>zstd level for pages written by a flush, which must keep up with ingest.</summary>
    public const int ZstdLevel = 3;

    /// <summary>zstd level for pages written by compaction, which runs in the background and writes what stays on disk.</summary>
    public const int ZstdCompactionLevel = 6;

    /// <summary>zstd when the system library is there (the measured best, see docs/performance.md), else Brotli.</summary>
    public static PageCodec Preferred => ZstdNative.IsAvailable ? PageCodec.Zstd : PageCodec.Brotli;

    public static byte[] Compress(ReadOnlySpan<byte> data, PageCodec codec, int zstdLevel = ZstdLevel)
    {
        switch (codec)
        {
            case PageCodec.None:
                return data.ToArray();
            case PageCodec.Zstd:
                return CompressZstd(data, zstdLevel);
            case PageCodec.Brotli:
            {
                var output = new byte[BrotliEncoder.GetMaxCompressedLength(data.Length)];
                if (!BrotliEncoder.TryCompress(data, output, out var written, quality: 5, window: 22))
                {
                    throw new InvalidOperationException("Brotli compression failed");
                }

                return output[..written];
            }

            case PageCodec.Deflate:
            {
                using var stream = new MemoryStream();
                using (var deflate = new DeflateStream(stream, CompressionLevel.Optimal, leaveOpen: true))
                {
                    deflate.Write(data);
                }

                return stream.ToArray();
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(codec));
        }
    }

    public static void Decompress(ReadOnlySpan<byte> compressed, PageCodec codec, Span<byte> destination)
    {
        switch (codec)
        {
            case PageCodec.None:
                if (compressed.Length != destination.Length)
                {
                    throw new InvalidDataException("stored page has the wrong length");
                }

                compressed.CopyTo(destination);
                return;
            case PageCodec.Zstd:
                DecompressZstd(compressed, destination);
                return;
            case PageCodec.Brotli:
                if (!BrotliDecoder.TryDecompress(compressed, destination, out var written) || written != destination.Length)
                {
                    throw new InvalidDataException("Brotli page does not decompress to its recorded length");
                }

                return;
            case PageCodec.Deflate:
            {
                unsafe
                {
                    fixed (byte* p = compressed)
                    {
                        using var source = new UnmanagedMemoryStream(p, compressed.Length);
                        using var deflate = new DeflateStream(source, CompressionMode.Decompress);
                        var total = 0;
                        while (total < destination.Length)
                        {
                            var n = deflate.Read(destination[total..]);
                            if (n == 0)
                            {
                                break;
                            }

                            total += n;
                        }

                        if (total != destination.Length || deflate.ReadByte() != -1)
                        {
                            throw new InvalidDataException("Deflate page does not decompress to its recorded length");
                        }
                    }
                }

                return;
            }

            default:
                throw new InvalidDataException($"unknown page codec {(byte)codec}");
        }
    }

    // One context per thread, made once: a page is compressed column by column, and the plain calls
    // would allocate and free a context (over 100 KB) for every column.
    [ThreadStatic]
    private static nint t_compressionContext;

    [ThreadStatic]
    private static nint t_decompressionContext;

    private static byte[] CompressZstd(ReadOnlySpan<byte> data, int level)
    {
        // Compressed into a pooled buffer of the worst-case size, then copied out exactly: one array of
        // the result's size per call instead of a worst-case one (often on the large object heap) as well.
        var bound = MaxZstdLength(data.Length);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(bound);
        try
        {
            var written = CompressZstd(data, buffer.AsSpan(0, bound), level);
            return buffer.AsSpan(0, written).ToArray();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The most bytes zstd can compress <paramref name="length"/> bytes into.</summary>
    public static int MaxZstdLength(int length) => (int)ZstdNative.CompressBound((nuint)length);

    /// <summary>Compresses with zstd into <paramref name="destination"/> (at least <see cref="MaxZstdLength"/> bytes); returns the bytes written.</summary>
    public static unsafe int CompressZstd(ReadOnlySpan<byte> data, Span<byte> destination, int level)
    {
        if (t_compressionContext == 0)
        {
            t_compressionContext = ZstdNative.CreateCompressionContext();
        }

        fixed (byte* src = data)
        fixed (byte* dst = destination)
        {
            var written = t_compressionContext == 0
                ? ZstdNative.Compress(dst, (nuint)destination.Length, src, (nuint)data.Length, level)
                : ZstdNative.CompressWithContext(t_compressionContext, dst, (nuint)destination.Length, src, (nuint)data.Length, level);
            if (ZstdNative.IsError(written) != 0)
            {
                throw new InvalidOperationException("zstd compression failed");
            }

            return (int)written;
        }
    }

    private static unsafe void DecompressZstd(ReadOnlySpan<byte> compressed, Span<byte> destination)
    {
        if (!ZstdNative.IsAvailable)
        {
            throw new InvalidDataException("page is zstd-compressed but libzstd is not available on this machine");
        }

        if (t_decompressionContext == 0)
        {
            t_decompressionContext = ZstdNative.CreateDecompressionContext();
        }

        fixed (byte* src = compressed)
        fixed (byte* dst = destination)
        {
            var written = t_decompressionContext == 0
                ? ZstdNative.Decompress(dst, (nuint)destination.Length, src, (nuint)compressed.Length)
                : ZstdNative.DecompressWithContext(t_decompressionContext, dst, (nuint)destination.Length, src, (nuint)compressed.Length);
            if (ZstdNative.IsError(written) != 0 || (int)written != destination.Length)
            {
                throw new InvalidDataException("zstd page does not decompress to its recorded length");
            }
        }
    }
}
