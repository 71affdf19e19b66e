using System.Buffers.Binary;
using Ariadne.Model;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Blocks.V1;

/// <summary>
/// The sparse index of a block: one entry per page.
/// <code>magic "ARIX" (u32) · version (u16) · reserved (u16) · page count (u32) · entries · CRC32C of all before (u32)
/// entry: first trace id (u64 high, u64 low) · last trace id (2 × u64) · offset (u64) · length (u32) · spans (u32)
///        · min start (u64) · max end (u64) · max duration (u64) · kind mask (u8) · status mask (u8) · reserved (u16)</code>
/// </summary>
internal static class PageIndex
{
    public const uint Magic = 0x58495241; // "ARIX"
    public const ushort Version = 2;
    private const int HeaderSize = 12;

    public static byte[] Serialize(IReadOnlyList<PageIndexEntry> entries)
    {
        var bytes = new byte[HeaderSize + (entries.Count * PageIndexEntry.Size) + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), Version);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(8), entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var span = bytes.AsSpan(HeaderSize + (i * PageIndexEntry.Size));
            BinaryPrimitives.WriteUInt64LittleEndian(span, e.FirstTraceId.High);
            BinaryPrimitives.WriteUInt64LittleEndian(span[8..], e.FirstTraceId.Low);
            BinaryPrimitives.WriteUInt64LittleEndian(span[16..], e.LastTraceId.High);
            BinaryPrimitives.WriteUInt64LittleEndian(span[24..], e.LastTraceId.Low);
            BinaryPrimitives.WriteInt64LittleEndian(span[32..], e.Offset);
            BinaryPrimitives.WriteInt32LittleEndian(span[40..], e.Length);
            BinaryPrimitives.WriteInt32LittleEndian(span[44..], e.SpanCount);
            BinaryPrimitives.WriteUInt64LittleEndian(span[48..], e.MinStartUnixNano);
            BinaryPrimitives.WriteUInt64LittleEndian(span[56..], e.MaxEndUnixNano);
            BinaryPrimitives.WriteUInt64LittleEndian(span[64..], e.MaxDurationNanos);
            span[72] = e.KindMask;
            span[73] = e.StatusMask;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));
        return bytes;
    }

    public static PageIndexEntry[] Deserialize(ReadOnlySpan<byte> bytes, long dataLength)
    {
        if (bytes.Length < HeaderSize + 4
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic
            || BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]) != Version
            || Crc32C.Compute(bytes[..^4]) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[^4..]))
        {
            throw new InvalidDataException("page index is damaged (magic, version or checksum)");
        }

        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        if (count < 0 || (long)HeaderSize + ((long)count * PageIndexEntry.Size) + 4 != bytes.Length)
        {
            throw new InvalidDataException("page index length does not match its page count");
        }

        var entries = new PageIndexEntry[count];
        for (var i = 0; i < count; i++)
        {
            var span = bytes[(HeaderSize + (i * PageIndexEntry.Size))..];
            var entry = new PageIndexEntry(
                new TraceId(BinaryPrimitives.ReadUInt64LittleEndian(span), BinaryPrimitives.ReadUInt64LittleEndian(span[8..])),
                new TraceId(BinaryPrimitives.ReadUInt64LittleEndian(span[16..]), BinaryPrimitives.ReadUInt64LittleEndian(span[24..])),
                BinaryPrimitives.ReadInt64LittleEndian(span[32..]),
                BinaryPrimitives.ReadInt32LittleEndian(span[40..]),
                BinaryPrimitives.ReadInt32LittleEndian(span[44..]))
            {
                MinStartUnixNano = BinaryPrimitives.ReadUInt64LittleEndian(span[48..]),
                MaxEndUnixNano = BinaryPrimitives.ReadUInt64LittleEndian(span[56..]),
                MaxDurationNanos = BinaryPrimitives.ReadUInt64LittleEndian(span[64..]),
                KindMask = span[72],
                StatusMask = span[73],
            };
            if (entry.Offset < 0 || entry.Length < PageHeader.Size || entry.Offset + entry.Length > dataLength || entry.FirstTraceId > entry.LastTraceId)
            {
                throw new InvalidDataException($"page index entry {i} points outside the data file");
            }

            entries[i] = entry;
        }

        return entries;
    }
}
