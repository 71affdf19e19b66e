using System.Buffers.Binary;
using Ariadne.Storage.Compression;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Blocks.V1;

/// <summary>
/// The header in front of each page in a block's data file.
/// <code>
/// 0 magic "ARPG" · 4 version (u16) · 6 codec (u8) · 7 reserved · 8 uncompressed length (u32) · 12 stored length (u32)
/// 16 span count (u32) · 20 CRC32C of the stored bytes (u32) · 24 CRC32C of bytes 0..23 (u32)
/// </code>
/// </summary>
internal readonly record struct PageHeader(PageCodec Codec, int UncompressedLength, int StoredLength, int SpanCount, uint PayloadCrc, ushort Version = PageHeader.ColumnsVersion)
{
    public const int Size = 28;
    public const uint Magic = 0x47505241; // "ARPG"

    /// <summary>The payload compressed as one piece (pages of older blocks; still read).</summary>
    public const ushort WholeVersion = 2;

    /// <summary>A directory, then each column compressed on its own, so a search decompresses only the columns it tests.</summary>
    public const ushort ColumnsVersion = 3;

    public bool IsColumnar => Version == ColumnsVersion;

    /// <summary>Pages larger than this are corruption, not data (a page holds about a thousand spans).</summary>
    public const int MaxLength = 256 << 20;

    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], Version);
        destination[6] = (byte)Codec;
        destination[7] = 0;
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], UncompressedLength);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], StoredLength);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], SpanCount);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[20..], PayloadCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[24..], Crc32C.Compute(destination[..24]));
    }

    public static PageHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size
            || BinaryPrimitives.ReadUInt32LittleEndian(source) != Magic
            || BinaryPrimitives.ReadUInt16LittleEndian(source[4..]) is not (WholeVersion or ColumnsVersion)
            || BinaryPrimitives.ReadUInt32LittleEndian(source[24..]) != Crc32C.Compute(source[..24]))
        {
            throw new InvalidDataException("page header is damaged (magic, version or checksum)");
        }

        var header = new PageHeader(
            (PageCodec)source[6],
            BinaryPrimitives.ReadInt32LittleEndian(source[8..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[12..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[16..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[20..]),
            BinaryPrimitives.ReadUInt16LittleEndian(source[4..]));
        if (header.UncompressedLength is < 0 or > MaxLength || header.StoredLength is < 0 or > MaxLength || header.SpanCount < 0)
        {
            throw new InvalidDataException("page header has impossible lengths");
        }

        return header;
    }
}
