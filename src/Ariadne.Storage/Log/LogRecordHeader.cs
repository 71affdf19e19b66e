using System.Buffers.Binary;

namespace Ariadne.Storage.Log;

/// <summary>
/// The fixed header in front of every ingest-log record. The header has its own CRC so that a torn or
/// corrupted length can never send the reader past the record, and the payload has a CRC of its own.
/// <code>
/// 0  magic "ARWL"   4  format version (u16)   6  record kind (u16)   8  payload length (u32)
/// 12 sequence (u64) 20 payload CRC32C (u32)   24 header CRC32C of bytes 0..23 (u32)
/// </code>
/// All integers little-endian.
/// </summary>
internal static class LogRecordHeader
{
    public const int Size = 28;
    public const uint Magic = 0x4C575241; // "ARWL" as little-endian bytes
    public const ushort FormatVersion = 1;
    public const ushort SpanBatchKind = 1;

    /// <summary>A <see cref="SpanRecord"/>: a span batch, compressed (what the store writes now; kind 1 is still read).</summary>
    public const ushort SpanRecordKind = 2;

    /// <summary>The largest payload a record may carry; larger claims are treated as corruption.</summary>
    public const int MaxPayloadLength = 1 << 30;

    private const int SequenceOffset = 12;
    private const int PayloadCrcOffset = 20;
    private const int HeaderCrcOffset = 24;

    public static void Write(Span<byte> header, ushort kind, int payloadLength, uint payloadCrc)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], kind);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)payloadLength);
        BinaryPrimitives.WriteUInt64LittleEndian(header[SequenceOffset..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(header[PayloadCrcOffset..], payloadCrc);
    }

    /// <summary>Stamps the sequence number (known only when the record is written) and seals the header.</summary>
    public static void Seal(Span<byte> header, long sequence)
    {
        BinaryPrimitives.WriteInt64LittleEndian(header[SequenceOffset..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(header[HeaderCrcOffset..], Crc32C.Compute(header[..HeaderCrcOffset]));
    }

    public static bool TryRead(ReadOnlySpan<byte> header, out ushort kind, out int payloadLength, out long sequence, out uint payloadCrc)
    {
        kind = 0;
        payloadLength = 0;
        sequence = 0;
        payloadCrc = 0;
        if (header.Length < Size
            || BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic
            || BinaryPrimitives.ReadUInt32LittleEndian(header[HeaderCrcOffset..]) != Crc32C.Compute(header[..HeaderCrcOffset])
            || BinaryPrimitives.ReadUInt16LittleEndian(header[4..]) != FormatVersion)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (length > MaxPayloadLength)
        {
            return false;
        }

        kind = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
        payloadLength = (int)length;
        sequence = BinaryPrimitives.ReadInt64LittleEndian(header[SequenceOffset..]);
        payloadCrc = BinaryPrimitives.ReadUInt32LittleEndian(header[PayloadCrcOffset..]);
        return true;
    }
}
