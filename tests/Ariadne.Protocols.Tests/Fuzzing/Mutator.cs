using System.Buffers.Binary;

namespace Ariadne.Protocols.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of valid inputs, the kinds that break hand-written decoders: bit flips, interesting
/// byte values, truncations, splices of two inputs, inserted and repeated slices (deep nesting), length
/// fields inflated to huge varints, and tokens of the format itself (a dictionary) dropped in anywhere.
/// Several mutations are stacked per input, so the output is mostly almost-valid, which is where bugs hide.
/// </summary>
internal sealed class Mutator
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x0A, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x2D];

    private static readonly byte[][] HugeVarints =
    [
        [0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
        [0xFF, 0xFF, 0xFF, 0xFF, 0x07],
        [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
    ];

    private readonly Random _random;
    private readonly IReadOnlyList<byte[]> _seeds;
    private readonly IReadOnlyList<byte[]> _dictionary;
    private readonly int _maxLength;

    public Mutator(int seed, IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]>? dictionary = null, int maxLength = 256 * 1024)
    {
        _random = new Random(seed);
        _seeds = seeds;
        _dictionary = dictionary ?? [];
        _maxLength = maxLength;
    }

    public Random Random => _random;

    /// <summary>The next input: a seed with one to eight mutations stacked on it, or (now and then) pure noise.</summary>
    public byte[] Next()
    {
        if (_random.Next(50) == 0)
        {
            var noise = new byte[_random.Next(0, 512)];
            _random.NextBytes(noise);
            return noise;
        }

        var data = new List<byte>(_seeds[_random.Next(_seeds.Count)]);
        var count = 1 + _random.Next(8);
        for (var i = 0; i < count && data.Count < _maxLength; i++)
        {
            Mutate(data);
        }

        return data.Count > _maxLength ? data.GetRange(0, _maxLength).ToArray() : data.ToArray();
    }

    private void Mutate(List<byte> data)
    {
        switch (_random.Next(11))
        {
            case 0 when data.Count > 0:
                data[_random.Next(data.Count)] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[_random.Next(data.Count)] = InterestingBytes[_random.Next(InterestingBytes.Length)];
                break;
            case 2 when data.Count > 0:
                {
                    var cut = _random.Next(data.Count);
                    data.RemoveRange(cut, data.Count - cut);
                    break;
                }

            case 3 when data.Count > 0:
                {
                    var start = _random.Next(data.Count);
                    data.RemoveRange(start, _random.Next(Math.Min(64, data.Count - start) + 1));
                    break;
                }

            case 4:
                {
                    // Splice: the head of this input, the tail of another.
                    var other = _seeds[_random.Next(_seeds.Count)];
                    var at = _random.Next(data.Count + 1);
                    var from = _random.Next(other.Length + 1);
                    data.RemoveRange(at, data.Count - at);
                    data.AddRange(other.AsSpan(from).ToArray());
                    break;
                }

            case 5 when data.Count > 0:
                {
                    // Repeat a slice in place: nesting when the slice opens a structure.
                    var start = _random.Next(data.Count);
                    var length = 1 + _random.Next(Math.Min(16, data.Count - start));
                    var slice = data.GetRange(start, length);
                    var times = _random.Next(4) == 0 ? 1 + _random.Next(2000) : 1 + _random.Next(8);
                    for (var i = 0; i < times && data.Count < _maxLength; i++)
                    {
                        data.InsertRange(start, slice);
                    }

                    break;
                }

            case 6:
                {
                    // Length-field inflation: a huge varint where a length or tag was.
                    var varint = HugeVarints[_random.Next(HugeVarints.Length)];
                    var at = _random.Next(data.Count + 1);
                    var overwrite = Math.Min(_random.Next(3), data.Count - at);
                    data.RemoveRange(at, overwrite);
                    data.InsertRange(at, varint);
                    break;
                }

            case 7 when data.Count > 0:
                {
                    // A plausible length that points past the end: one byte bumped up.
                    var at = _random.Next(data.Count);
                    data[at] = (byte)Math.Min(0x7F, data[at] + 1 + _random.Next(32));
                    break;
                }

            case 8 when _dictionary.Count > 0:
                data.InsertRange(_random.Next(data.Count + 1), _dictionary[_random.Next(_dictionary.Count)]);
                break;
            case 9 when _dictionary.Count > 0 && data.Count > 0:
                {
                    var token = _dictionary[_random.Next(_dictionary.Count)];
                    var at = _random.Next(data.Count);
                    data.RemoveRange(at, Math.Min(token.Length, data.Count - at));
                    data.InsertRange(at, token);
                    break;
                }

            case 10 when data.Count >= 4:
                {
                    // An integer overwritten with an extreme value, little-endian as fixed32/fixed64 are.
                    Span<byte> value = stackalloc byte[4];
                    BinaryPrimitives.WriteInt32LittleEndian(value, _random.Next(3) switch { 0 => int.MaxValue, 1 => int.MinValue, _ => -1 });
                    var at = _random.Next(data.Count - 3);
                    for (var i = 0; i < 4; i++)
                    {
                        data[at + i] = value[i];
                    }

                    break;
                }

            default:
                data.Insert(_random.Next(data.Count + 1), (byte)_random.Next(256));
                break;
        }
    }
}
