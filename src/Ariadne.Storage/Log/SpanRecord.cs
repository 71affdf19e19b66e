using System.Buffers;
using System.Buffers.Binary;
using Ariadne.Model;
using Ariadne.Storage.Compression;

namespace Ariadne.Storage.Log;

/// <summary>
/// The log record the tail sampler's buffer and the exporters' queues keep spans in: arrival time
/// (8 bytes, Unix milliseconds), codec (1), encoded length (4), then the <see cref="SpanBatchCodec"/>
/// encoding, compressed with zstd level 1 when the system has libzstd. These logs are written for
/// every span they take and read back once, so the disk's bandwidth bounds them, not the CPU.
/// </summary>
internal static class SpanRecord
{
    private const int HeaderBytes = sizeof(long) + 1 + sizeof(int);

    /// <summary>zstd's fastest regular level: the record is read back once, soon, so speed matters more than size.</summary>
    private const int ZstdLevel = 1;

    /// <summary>The record's payload for the batch, exactly sized (the store's head keeps it as it is).</summary>
    public static byte[] Encode(SpanBatch batch, long arrivalUnixMilliseconds)
    {
        var rawLength = SpanBatchCodec.GetEncodedLength(batch);
        var raw = ArrayPool<byte>.Shared.Rent(rawLength);
        byte[]? compressed = null;
        try
        {
            SpanBatchCodec.Encode(batch, raw);
            var codec = ZstdNative.IsAvailable ? PageCodec.Zstd : PageCodec.None;
            ReadOnlySpan<byte> body = raw.AsSpan(0, rawLength);
            if (codec == PageCodec.Zstd)
            {
                // Compressed into a pooled buffer: the record below is the one array this allocates.
                var bound = PageCompressor.MaxZstdLength(rawLength);
                compressed = ArrayPool<byte>.Shared.Rent(bound);
                body = compressed.AsSpan(0, PageCompressor.CompressZstd(body, compressed.AsSpan(0, bound), ZstdLevel));
            }

            var record = new byte[HeaderBytes + body.Length];
            BinaryPrimitives.WriteInt64LittleEndian(record, arrivalUnixMilliseconds);
            record[sizeof(long)] = (byte)codec;
            BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(sizeof(long) + 1), rawLength);
            body.CopyTo(record.AsSpan(HeaderBytes));
            return record;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
            if (compressed is not null)
            {
                ArrayPool<byte>.Shared.Return(compressed);
            }
        }
    }

    /// <summary>Appends the batch as one record of <paramref name="kind"/>; completes once it is durable.</summary>
    public static ValueTask<long> AppendAsync(IngestLog log, ushort kind, SpanBatch batch, long arrivalUnixMilliseconds, object? state, CancellationToken cancellationToken)
    {
        var record = Encode(batch, arrivalUnixMilliseconds);
        return log.AppendAsync(kind, record.Length, (destination, _) => record.CopyTo(destination), state, cancellationToken);
    }

    /// <summary>Decodes a record's payload; false when it is not one (or is damaged beyond its checksum's reach).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> payload, out long arrivalUnixMilliseconds, out SpanBatch batch)
    {
        arrivalUnixMilliseconds = 0;
        batch = null!;
        if (payload.Length < HeaderBytes)
        {
            return false;
        }

        arrivalUnixMilliseconds = BinaryPrimitives.ReadInt64LittleEndian(payload);
        var codec = (PageCodec)payload[sizeof(long)];
        var rawLength = BinaryPrimitives.ReadInt32LittleEndian(payload[(sizeof(long) + 1)..]);
        var body = payload[HeaderBytes..];
        if (codec == PageCodec.None)
        {
            return rawLength == body.Length && SpanBatchCodec.TryDecode(body, out batch!, out _);
        }

        if (rawLength < 0 || rawLength > LogRecordHeader.MaxPayloadLength)
        {
            return false;
        }

        var raw = ArrayPool<byte>.Shared.Rent(rawLength);
        try
        {
            PageCompressor.Decompress(body, codec, raw.AsSpan(0, rawLength));
            return SpanBatchCodec.TryDecode(raw.AsSpan(0, rawLength), out batch!, out _);
        }
        catch (Exception e) when (e is InvalidDataException or DllNotFoundException or ArgumentOutOfRangeException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }
}
