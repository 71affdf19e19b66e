using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using Ariadne.Model;

namespace Ariadne.Protocols.Otlp;

/// <summary>
/// Stores each distinct short string of one batch once. Attribute keys and most values repeat on every
/// span of a request ("http.request.method", "GET", the service's host name), so a hit saves the UTF-8
/// check and the copy, and the batch — and with it the ingest log record — gets smaller.
/// </summary>
internal sealed class StringInterner
{
    public const int MaxInternedLength = 64;
    private const int Slots = 1024;

    private readonly Entry[] _entries = new Entry[Slots];
    private SpanBatch? _batch;

    /// <summary>Starts interning into another (or a cleared) batch: earlier entries point into a heap that is gone.</summary>
    public void Reset(SpanBatch batch)
    {
        _batch = batch;
        Array.Clear(_entries);
    }

    /// <summary>
    /// Adds a string to the heap, reusing an identical earlier one. Protobuf strings must be UTF-8;
    /// invalid sequences are replaced with U+FFFD (as lenient parsers do) so that everything stored can
    /// be written back as JSON.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Utf8Ref Add(ReadOnlySpan<byte> utf8)
    {
        var batch = _batch!;
        if (utf8.Length == 0)
        {
            return default;
        }

        if (utf8.Length > MaxInternedLength)
        {
            return Store(batch, utf8);
        }

        var hash = Hash(utf8);
        ref var entry = ref _entries[(int)(hash & (Slots - 1))];
        if (entry.Hash == hash && entry.Value.Length == utf8.Length && batch.Utf8(entry.Value).SequenceEqual(utf8))
        {
            return entry.Value;
        }

        var stored = Store(batch, utf8);
        entry = new Entry(hash, stored);
        return stored;
    }

    private static Utf8Ref Store(SpanBatch batch, ReadOnlySpan<byte> utf8) =>
        Utf8.IsValid(utf8) ? batch.AddString(utf8) : batch.AddString(Encoding.UTF8.GetString(utf8));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(ReadOnlySpan<byte> data)
    {
        // Eight bytes per step with a multiply-xorshift mix: the strings are short, and a collision
        // only costs a comparison and a copy, never a wrong answer.
        var hash = (ulong)data.Length * 0x9E3779B97F4A7C15UL;
        while (data.Length >= 8)
        {
            hash = (hash ^ BinaryPrimitives.ReadUInt64LittleEndian(data)) * 0xBF58476D1CE4E5B9UL;
            hash ^= hash >> 29;
            data = data[8..];
        }

        if (data.Length > 0)
        {
            ulong tail = 0;
            for (var i = 0; i < data.Length; i++)
            {
                tail |= (ulong)data[i] << (8 * i);
            }

            hash = (hash ^ tail) * 0x94D049BB133111EBUL;
        }

        return (hash ^ (hash >> 31)) | 1;
    }

    private readonly record struct Entry(ulong Hash, Utf8Ref Value);
}
