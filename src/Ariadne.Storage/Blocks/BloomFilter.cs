using System.Buffers.Binary;
using Ariadne.Model;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Blocks;

/// <summary>
/// A bloom filter of the trace ids in a block, sized so its false-positive rate stays under 1%: a miss means the
/// block holds no span of the trace and is not read at all.
/// <code>file: magic "ARBL" (u32) · version (u16) · hash count (u16) · bit count (u64) · bits · CRC32C of all before (u32)</code>
/// </summary>
internal sealed class BloomFilter
{
    public const uint Magic = 0x4C425241; // "ARBL"
    public const ushort Version = 1;
    // Sized for 0.5% so that the measured rate stays under the 1% promise with room for chance.
    private const double TargetFalsePositiveRate = 0.005;
    private const int HeaderSize = 16;

    private readonly ulong[] _words;
    private readonly ulong _bits;
    private readonly int _hashes;

    private BloomFilter(ulong[] words, ulong bits, int hashes)
    {
        _words = words;
        _bits = bits;
        _hashes = hashes;
    }

    public static BloomFilter Create(int expectedItems)
    {
        var n = Math.Max(expectedItems, 1);
        var bits = (ulong)Math.Ceiling(-n * Math.Log(TargetFalsePositiveRate) / (Math.Log(2) * Math.Log(2)));
        bits = Math.Max(64, (bits + 63) / 64 * 64);
        var hashes = Math.Clamp((int)Math.Round(bits / (double)n * Math.Log(2)), 1, 16);
        return new BloomFilter(new ulong[bits / 64], bits, hashes);
    }

    public void Add(TraceId id)
    {
        var (h1, h2) = Hashes(id);
        for (var i = 0; i < _hashes; i++)
        {
            var bit = (h1 + ((ulong)i * h2)) % _bits;
            _words[bit >> 6] |= 1UL << (int)(bit & 63);
        }
    }

    public bool MightContain(TraceId id)
    {
        var (h1, h2) = Hashes(id);
        for (var i = 0; i < _hashes; i++)
        {
            var bit = (h1 + ((ulong)i * h2)) % _bits;
            if ((_words[bit >> 6] & (1UL << (int)(bit & 63))) == 0)
            {
                return false;
            }
        }

        return true;
    }

    public byte[] Serialize()
    {
        var bytes = new byte[HeaderSize + (_words.Length * 8) + 4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(4), Version);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(6), (ushort)_hashes);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), _bits);
        for (var i = 0; i < _words.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(HeaderSize + (i * 8)), _words[i]);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)));
        return bytes;
    }

    public static BloomFilter Deserialize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderSize + 4
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic
            || BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]) != Version
            || Crc32C.Compute(bytes[..^4]) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[^4..]))
        {
            throw new InvalidDataException("bloom filter is damaged (magic, version or checksum)");
        }

        var hashes = BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]);
        var bits = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        if (bits == 0 || bits % 64 != 0 || (ulong)(bytes.Length - HeaderSize - 4) != bits / 8 || hashes is 0 or > 16)
        {
            throw new InvalidDataException("bloom filter header does not match its size");
        }

        var words = new ulong[bits / 64];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes[(HeaderSize + (i * 8))..]);
        }

        return new BloomFilter(words, bits, hashes);
    }

    /// <summary>Two independent hashes (for double hashing), mixed so that non-random ids spread too.</summary>
    private static (ulong H1, ulong H2) Hashes(TraceId id)
    {
        static ulong Mix(ulong x)
        {
            x ^= x >> 33;
            x *= 0xFF51AFD7ED558CCDUL;
            x ^= x >> 33;
            x *= 0xC4CEB9FE1A85EC53UL;
            return x ^ (x >> 33);
        }

        return (Mix(id.Low ^ Mix(id.High)), Mix(id.High + 0x9E3779B97F4A7C15UL ^ id.Low) | 1);
    }
}
