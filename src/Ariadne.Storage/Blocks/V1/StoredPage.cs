using System.Buffers.Binary;
using Ariadne.Storage.Compression;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Blocks.V1;

/// <summary>
/// A page as read from a block's data file, checked against its CRC but not yet decompressed. A
/// columnar page (version 3) starts with a directory: the column count (u16), each column's length
/// before and after compression (2 × u32), and the key of each dedicated column (length + UTF-8);
/// the compressed columns follow. A search decompresses only the columns it tests; reading the rows
/// decompresses them all into the layout <see cref="PageDecoder"/> reads. An older page (version 2)
/// is one compressed payload and is decompressed whole on first use.
/// </summary>
internal sealed class StoredPage
{
    private readonly byte[] _bytes;
    private readonly (int Length, int StoredOffset, int StoredLength)[] _columns;
    private readonly (int Offset, int Length)[] _keys;
    private readonly byte[]?[] _decompressed;
    private byte[]? _payload;
    private (int Start, int Length)[]? _payloadOffsets;

    private StoredPage(byte[] bytes, PageHeader header, (int, int, int)[] columns, (int, int)[] keys)
    {
        _bytes = bytes;
        Header = header;
        _columns = columns;
        _keys = keys;
        _decompressed = new byte[columns.Length][];
    }

    public PageHeader Header { get; }

    public int SpanCount => Header.SpanCount;

    /// <summary>Columns beyond the 16 of <see cref="PageColumns"/>: span attributes with a column of their own.</summary>
    public int DedicatedCount => _keys.Length;

    /// <summary>Checks the header and CRC of a page read whole (header included).</summary>
    public static StoredPage Parse(byte[] bytes)
    {
        var header = PageHeader.Read(bytes);
        var stored = bytes.AsSpan(PageHeader.Size);
        if (header.StoredLength != stored.Length || Crc32C.Compute(stored) != header.PayloadCrc)
        {
            throw new InvalidDataException("page fails its checksum");
        }

        if (!header.IsColumnar)
        {
            return new StoredPage(bytes, header, [], []);
        }

        var reader = new ColumnReader(stored);
        if (stored.Length < 2)
        {
            throw new InvalidDataException("page directory is truncated");
        }

        var count = BinaryPrimitives.ReadUInt16LittleEndian(stored);
        if (count < (int)PageColumns.Count || count > (int)PageColumns.Count + PageEncoder.MaxDedicatedColumns || stored.Length < 2 + (count * 8))
        {
            throw new InvalidDataException("page directory is damaged");
        }

        var columns = new (int, int, int)[count];
        var keys = new (int, int)[count - (int)PageColumns.Count];
        reader = new ColumnReader(stored[(2 + (count * 8))..]);
        for (var k = 0; k < keys.Length; k++)
        {
            var key = reader.Bytes();
            keys[k] = (PageHeader.Size + stored.Length - reader.Remaining - key.Length, key.Length);
        }

        var offset = PageHeader.Size + stored.Length - reader.Remaining;
        long total = 2 + (count * 4);
        for (var c = 0; c < count; c++)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(stored[(2 + (c * 8))..]);
            var storedLength = BinaryPrimitives.ReadInt32LittleEndian(stored[(6 + (c * 8))..]);
            if (length < 0 || storedLength < 0 || storedLength > bytes.Length - offset || (length == 0) != (storedLength == 0))
            {
                throw new InvalidDataException("page directory is damaged");
            }

            columns[c] = (length, offset, storedLength);
            offset += storedLength;
            total += length;
        }

        if (offset != bytes.Length || total != header.UncompressedLength)
        {
            throw new InvalidDataException("page directory does not agree with the page's lengths");
        }

        return new StoredPage(bytes, header, columns, keys);
    }

    /// <summary>Builds a columnar page (header included) from a payload in <see cref="PageDecoder"/>'s layout.</summary>
    public static byte[] Build(byte[] payload, PageEncoder encoder, int spanCount, PageCodec codec, int zstdLevel)
    {
        var offsets = PageDecoder.ColumnOffsets(payload);
        var compressed = new byte[offsets.Length][];
        var directory = new ColumnWriter();
        for (var d = 0; d < encoder.DedicatedCount; d++)
        {
            directory.Bytes(encoder.DedicatedKey(d));
        }

        var storedLength = 2 + (offsets.Length * 8) + directory.Length;
        for (var c = 0; c < offsets.Length; c++)
        {
            var column = payload.AsSpan(offsets[c].Start, offsets[c].Length);
            compressed[c] = column.IsEmpty ? [] : PageCompressor.Compress(column, codec, zstdLevel);
            storedLength += compressed[c].Length;
        }

        var page = new byte[PageHeader.Size + storedLength];
        var stored = page.AsSpan(PageHeader.Size);
        BinaryPrimitives.WriteUInt16LittleEndian(stored, (ushort)offsets.Length);
        for (var c = 0; c < offsets.Length; c++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(stored[(2 + (c * 8))..], offsets[c].Length);
            BinaryPrimitives.WriteInt32LittleEndian(stored[(6 + (c * 8))..], compressed[c].Length);
        }

        var at = 2 + (offsets.Length * 8);
        directory.Written.CopyTo(stored[at..]);
        at += directory.Length;
        foreach (var column in compressed)
        {
            column.CopyTo(stored[at..]);
            at += column.Length;
        }

        new PageHeader(codec, payload.Length, storedLength, spanCount, Crc32C.Compute(stored)).Write(page);
        return page;
    }

    /// <summary>The dedicated column holding the span attribute <paramref name="key"/> (an index from 16), or −1.</summary>
    public int FindDedicated(ReadOnlySpan<byte> key)
    {
        for (var k = 0; k < _keys.Length; k++)
        {
            if (_bytes.AsSpan(_keys[k].Offset, _keys[k].Length).SequenceEqual(key))
            {
                return (int)PageColumns.Count + k;
            }
        }

        return -1;
    }

    public ReadOnlySpan<byte> DedicatedKey(int dedicated) => _bytes.AsSpan(_keys[dedicated].Offset, _keys[dedicated].Length);

    /// <summary>One column, decompressed (once; later calls return the same bytes).</summary>
    public ReadOnlySpan<byte> Column(int column) => ColumnMemory(column).Span;

    /// <summary>As <see cref="Column"/>, for callers that keep the bytes while they work on the page.</summary>
    public ReadOnlyMemory<byte> ColumnMemory(int column)
    {
        if (!Header.IsColumnar || _payload is not null)
        {
            var payload = Payload();
            _payloadOffsets ??= PageDecoder.ColumnOffsets(payload);
            return payload.AsMemory(_payloadOffsets[column].Start, _payloadOffsets[column].Length);
        }

        if (_decompressed[column] is { } done)
        {
            return done;
        }

        var (length, offset, storedLength) = _columns[column];
        var bytes = new byte[length];
        if (length > 0)
        {
            PageCompressor.Decompress(_bytes.AsSpan(offset, storedLength), Header.Codec, bytes);
        }

        _decompressed[column] = bytes;
        return bytes;
    }

    /// <summary>The whole payload in <see cref="PageDecoder"/>'s layout.</summary>
    public byte[] Payload()
    {
        if (_payload is not null)
        {
            return _payload;
        }

        var payload = new byte[Header.UncompressedLength];
        Fill(payload);
        return _payload = payload;
    }

    /// <summary>
    /// Decodes the rows (with <paramref name="only"/>, only that trace's) through a pooled buffer: a
    /// lookup by trace id then allocates no page-sized array that the collector would have to move.
    /// </summary>
    public Model.SpanBatch DecodeRows(Model.TraceId? only)
    {
        if (_payload is not null)
        {
            return PageDecoder.Decode(_payload, only);
        }

        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Header.UncompressedLength);
        try
        {
            Fill(buffer.AsSpan(0, Header.UncompressedLength));
            return PageDecoder.Decode(buffer, Header.UncompressedLength, only);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Fill(Span<byte> payload)
    {
        if (!Header.IsColumnar)
        {
            PageCompressor.Decompress(_bytes.AsSpan(PageHeader.Size), Header.Codec, payload);
            return;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(payload, (ushort)_columns.Length);
        var at = 2 + (_columns.Length * 4);
        for (var c = 0; c < _columns.Length; c++)
        {
            var (length, offset, storedLength) = _columns[c];
            BinaryPrimitives.WriteInt32LittleEndian(payload[(2 + (c * 4))..], length);
            if (_decompressed[c] is { } done)
            {
                done.CopyTo(payload[at..]);
            }
            else if (length > 0)
            {
                PageCompressor.Decompress(_bytes.AsSpan(offset, storedLength), Header.Codec, payload.Slice(at, length));
            }

            at += length;
        }
    }
}
