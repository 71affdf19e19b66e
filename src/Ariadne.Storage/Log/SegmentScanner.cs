using System.Buffers;
using System.Buffers.Binary;
using Ariadne.Storage.IO;

namespace Ariadne.Storage.Log;

/// <summary>
/// Reads a segment's records in order and decides what a damaged stretch is.
/// <para>
/// Policy: the writer never puts a good record after a partial one (a failed group is cut back before
/// anything else is written), so damage with nothing valid after it is a torn tail — the normal result
/// of a crash mid-write — and is truncated. Damage followed by valid records cannot come from a crash;
/// it is corruption (media, or a bug). Those later records were acknowledged, so they are found again
/// by looking for the next header that passes every check, replayed, and the damaged stretch is
/// counted and left in the file for <c>fsck</c> to show, never truncated away. This holds for every
/// segment, the last one included.
/// </para>
/// </summary>
internal static class SegmentScanner
{
    /// <summary>How much is read at once while looking for the next record after damage.</summary>
    private const int ResyncWindowBytes = 64 * 1024;

    private const int MagicLength = 4;

    /// <param name="file">The segment.</param>
    /// <param name="previousSequence">The last sequence of earlier segments; records must come after it.</param>
    /// <param name="replay">Gets each valid record; the payload memory is reused after the call returns.</param>
    /// <param name="payloadBuffer">A pooled buffer, replaced by a larger one from the pool when needed.</param>
    /// <param name="located">Gets each valid record's sequence and offset in the file, before <paramref name="replay"/>.</param>
    public static SegmentScanResult Scan(
        IStorageFile file,
        long previousSequence,
        Action<long, ushort, ReadOnlyMemory<byte>> replay,
        ref byte[] payloadBuffer,
        Action<long, long>? located = null)
    {
        var length = file.Length;
        long position = 0, records = 0, corruptRegions = 0, skipped = 0;
        var lastSequence = previousSequence;
        Span<byte> header = stackalloc byte[LogRecordHeader.Size];
        while (position < length)
        {
            if (TryReadRecord(file, position, length, lastSequence, header, ref payloadBuffer, out var kind, out var payloadLength, out var sequence))
            {
                located?.Invoke(sequence, position);
                replay(sequence, kind, payloadBuffer.AsMemory(0, payloadLength));
                records++;
                lastSequence = sequence;
                position += LogRecordHeader.Size + payloadLength;
                continue;
            }

            var next = FindNextRecord(file, position + 1, length, lastSequence, header, ref payloadBuffer);
            if (next < 0)
            {
                return new SegmentScanResult(records, lastSequence, position, corruptRegions, skipped);
            }

            corruptRegions++;
            skipped += next - position;
            position = next;
        }

        return new SegmentScanResult(records, lastSequence, length, corruptRegions, skipped);
    }

    /// <summary>
    /// Reads the one record at <paramref name="position"/>, which must be sequence <paramref name="sequence"/>
    /// with a matching checksum; the payload is in <paramref name="payloadBuffer"/>.
    /// </summary>
    public static bool TryReadAt(IStorageFile file, long position, long sequence, ref byte[] payloadBuffer, out ushort kind, out int payloadLength)
    {
        Span<byte> header = stackalloc byte[LogRecordHeader.Size];
        return TryReadRecord(file, position, file.Length, sequence - 1, header, ref payloadBuffer, out kind, out payloadLength, out var found)
            && found == sequence;
    }

    private static bool TryReadRecord(
        IStorageFile file,
        long position,
        long length,
        long lastSequence,
        Span<byte> header,
        ref byte[] payloadBuffer,
        out ushort kind,
        out int payloadLength,
        out long sequence)
    {
        kind = 0;
        payloadLength = 0;
        sequence = 0;
        if (length - position < LogRecordHeader.Size
            || file.Read(position, header) != LogRecordHeader.Size
            || !LogRecordHeader.TryRead(header, out kind, out payloadLength, out sequence, out var payloadCrc)
            || payloadLength > length - position - LogRecordHeader.Size
            || sequence <= lastSequence)
        {
            return false;
        }

        if (payloadBuffer.Length < payloadLength)
        {
            ArrayPool<byte>.Shared.Return(payloadBuffer);
            payloadBuffer = ArrayPool<byte>.Shared.Rent(payloadLength);
        }

        var payload = payloadBuffer.AsSpan(0, payloadLength);
        return file.Read(position + LogRecordHeader.Size, payload) == payloadLength && Crc32C.Compute(payload) == payloadCrc;
    }

    /// <summary>The offset of the first valid record at or after <paramref name="from"/>, or -1.</summary>
    private static long FindNextRecord(IStorageFile file, long from, long length, long lastSequence, Span<byte> header, ref byte[] payloadBuffer)
    {
        Span<byte> magic = stackalloc byte[MagicLength];
        BinaryPrimitives.WriteUInt32LittleEndian(magic, LogRecordHeader.Magic);
        var window = ArrayPool<byte>.Shared.Rent(ResyncWindowBytes);
        try
        {
            var candidate = from;

            // Every pass moves the candidate forward by at least one byte, so the loop ends at the file's end.
            while (length - candidate >= LogRecordHeader.Size)
            {
                var wanted = (int)Math.Min(window.Length, length - candidate);
                var read = file.Read(candidate, window.AsSpan(0, wanted));
                if (read < MagicLength)
                {
                    return -1;
                }

                var index = window.AsSpan(0, read).IndexOf(magic);
                if (index < 0)
                {
                    // The magic may straddle the window's end: keep its last bytes for the next pass.
                    candidate += read - (MagicLength - 1);
                    continue;
                }

                candidate += index;
                if (TryReadRecord(file, candidate, length, lastSequence, header, ref payloadBuffer, out _, out _, out _))
                {
                    return candidate;
                }

                candidate++;
            }

            return -1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(window);
        }
    }
}
