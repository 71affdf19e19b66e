using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ariadne.Model;

namespace Ariadne.Storage.Log;

/// <summary>
/// The ingest log's payload: a <see cref="SpanBatch"/>'s tables written as they are in memory
/// (little-endian, fixed-size unmanaged rows), preceded by the row count and row size of each table.
/// Reading validates every reference (row ranges, heap slices, nesting) so a payload that passed its
/// CRC but is inconsistent is refused instead of failing later.
/// </summary>
internal static class SpanBatchCodec
{
    public const ushort Version = 1;
    private const int TableCount = 9;
    private const int HeaderSize = 4 + (TableCount * 8);
    private const int MaxValueDepth = 64;

    static SpanBatchCodec()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The ingest log format is little-endian; big-endian machines are not supported.");
        }
    }

    public static int GetEncodedLength(SpanBatch batch)
    {
        long length = HeaderSize;
        length += Bytes(batch.Resources) + Bytes(batch.Scopes) + Bytes(batch.Spans) + Bytes(batch.Events) + Bytes(batch.Links)
            + Bytes(batch.Attributes) + Bytes(batch.NestedAttributes) + Bytes(batch.ArrayValues) + Bytes(batch.Heap);
        return checked((int)length);
    }

    public static int Encode(SpanBatch batch, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], TableCount);
        var position = 4;
        WriteCount(batch.Resources, destination, ref position);
        WriteCount(batch.Scopes, destination, ref position);
        WriteCount(batch.Spans, destination, ref position);
        WriteCount(batch.Events, destination, ref position);
        WriteCount(batch.Links, destination, ref position);
        WriteCount(batch.Attributes, destination, ref position);
        WriteCount(batch.NestedAttributes, destination, ref position);
        WriteCount(batch.ArrayValues, destination, ref position);
        WriteCount(batch.Heap, destination, ref position);
        WriteRows(batch.Resources, destination, ref position);
        WriteRows(batch.Scopes, destination, ref position);
        WriteRows(batch.Spans, destination, ref position);
        WriteRows(batch.Events, destination, ref position);
        WriteRows(batch.Links, destination, ref position);
        WriteRows(batch.Attributes, destination, ref position);
        WriteRows(batch.NestedAttributes, destination, ref position);
        WriteRows(batch.ArrayValues, destination, ref position);
        WriteRows(batch.Heap, destination, ref position);
        return position;
    }

    public static bool TryDecode(ReadOnlySpan<byte> payload, out SpanBatch? batch, out string? error)
    {
        batch = null;
        if (payload.Length < HeaderSize)
        {
            error = "payload shorter than its header";
            return false;
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(payload);
        if (version != Version || BinaryPrimitives.ReadUInt16LittleEndian(payload[2..]) != TableCount)
        {
            error = $"unknown batch codec version {version}";
            return false;
        }

        var counts = new int[TableCount];
        var position = 4;
        long total = HeaderSize;
        ReadOnlySpan<int> rowSizes =
        [
            Unsafe.SizeOf<ResourceRow>(), Unsafe.SizeOf<ScopeRow>(), Unsafe.SizeOf<SpanRow>(), Unsafe.SizeOf<EventRow>(),
            Unsafe.SizeOf<LinkRow>(), Unsafe.SizeOf<KeyValue>(), Unsafe.SizeOf<KeyValue>(), Unsafe.SizeOf<AnyValue>(), 1,
        ];
        for (var i = 0; i < TableCount; i++)
        {
            var count = BinaryPrimitives.ReadInt32LittleEndian(payload[position..]);
            var rowSize = BinaryPrimitives.ReadInt32LittleEndian(payload[(position + 4)..]);
            position += 8;
            if (count < 0 || rowSize != rowSizes[i])
            {
                error = $"table {i} has an invalid row count or row size";
                return false;
            }

            counts[i] = count;
            total += (long)count * rowSize;
        }

        if (total != payload.Length)
        {
            error = $"payload is {payload.Length} bytes but its tables need {total}";
            return false;
        }

        var result = new SpanBatch();
        ReadRows(result.Resources, counts[0], payload, ref position);
        ReadRows(result.Scopes, counts[1], payload, ref position);
        ReadRows(result.Spans, counts[2], payload, ref position);
        ReadRows(result.Events, counts[3], payload, ref position);
        ReadRows(result.Links, counts[4], payload, ref position);
        ReadRows(result.Attributes, counts[5], payload, ref position);
        ReadRows(result.NestedAttributes, counts[6], payload, ref position);
        ReadRows(result.ArrayValues, counts[7], payload, ref position);
        ReadRows(result.Heap, counts[8], payload, ref position);

        error = Validate(result);
        if (error is not null)
        {
            return false;
        }

        batch = result;
        return true;
    }

    private static long Bytes<T>(RowTable<T> table)
        where T : unmanaged => (long)table.Count * Unsafe.SizeOf<T>();

    private static void WriteCount<T>(RowTable<T> table, Span<byte> destination, ref int position)
        where T : unmanaged
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination[position..], table.Count);
        BinaryPrimitives.WriteInt32LittleEndian(destination[(position + 4)..], Unsafe.SizeOf<T>());
        position += 8;
    }

    private static void WriteRows<T>(RowTable<T> table, Span<byte> destination, ref int position)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(table.Rows);
        bytes.CopyTo(destination[position..]);
        position += bytes.Length;
    }

    private static void ReadRows<T>(RowTable<T> table, int count, ReadOnlySpan<byte> payload, ref int position)
        where T : unmanaged
    {
        var length = count * Unsafe.SizeOf<T>();
        table.AddRange(MemoryMarshal.Cast<byte, T>(payload.Slice(position, length)));
        position += length;
    }

    private static string? Validate(SpanBatch batch)
    {
        foreach (ref readonly var resource in batch.Resources.Rows)
        {
            if (!Attributes(batch, resource.Attributes) || !Heap(batch, resource.SchemaUrl))
            {
                return "a resource refers outside the batch";
            }
        }

        foreach (ref readonly var scope in batch.Scopes.Rows)
        {
            if ((uint)scope.ResourceIndex >= (uint)batch.Resources.Count || !Attributes(batch, scope.Attributes)
                || !Heap(batch, scope.Name) || !Heap(batch, scope.Version) || !Heap(batch, scope.SchemaUrl))
            {
                return "a scope refers outside the batch";
            }
        }

        foreach (ref readonly var span in batch.Spans.Rows)
        {
            if ((uint)span.ScopeIndex >= (uint)batch.Scopes.Count || !Attributes(batch, span.Attributes)
                || !Heap(batch, span.Name) || !Heap(batch, span.TraceState) || !Heap(batch, span.StatusMessage)
                || !InRange(span.Events, batch.Events.Count) || !InRange(span.Links, batch.Links.Count))
            {
                return "a span refers outside the batch";
            }
        }

        foreach (ref readonly var e in batch.Events.Rows)
        {
            if (!Attributes(batch, e.Attributes) || !Heap(batch, e.Name))
            {
                return "an event refers outside the batch";
            }
        }

        foreach (ref readonly var link in batch.Links.Rows)
        {
            if (!Attributes(batch, link.Attributes) || !Heap(batch, link.TraceState))
            {
                return "a link refers outside the batch";
            }
        }

        return null;
    }

    private static bool InRange(RowRange range, int count) =>
        range.Start >= 0 && range.Count >= 0 && (long)range.Start + range.Count <= count;

    private static bool Heap(SpanBatch batch, Utf8Ref value) =>
        value.Offset >= 0 && value.Length >= 0 && (long)value.Offset + value.Length <= batch.Heap.Count;

    private static bool Attributes(SpanBatch batch, RowRange range)
    {
        if (!InRange(range, batch.Attributes.Count))
        {
            return false;
        }

        foreach (ref readonly var kv in batch.AttributesOf(range))
        {
            if (!Heap(batch, kv.Key) || !Value(batch, kv.Value, 0))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Checks a value and everything under it; the depth bound also rules out reference cycles.</summary>
    private static bool Value(SpanBatch batch, AnyValue value, int depth)
    {
        if (depth > MaxValueDepth)
        {
            return false;
        }

        switch (value.Kind)
        {
            case ValueKind.Empty or ValueKind.Bool or ValueKind.Int or ValueKind.Double:
                return true;
            case ValueKind.String or ValueKind.Bytes:
                return Heap(batch, value.StringRef);
            case ValueKind.Array:
                if (!InRange(value.Rows, batch.ArrayValues.Count))
                {
                    return false;
                }

                foreach (var element in batch.ElementsOf(value))
                {
                    if (!Value(batch, element, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            case ValueKind.KeyValueList:
                if (!InRange(value.Rows, batch.NestedAttributes.Count))
                {
                    return false;
                }

                foreach (ref readonly var entry in batch.EntriesOf(value))
                {
                    if (!Heap(batch, entry.Key) || !Value(batch, entry.Value, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }
}
