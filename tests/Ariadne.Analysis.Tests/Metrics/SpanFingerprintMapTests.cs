using Ariadne.Analysis.Metrics;
using Ariadne.Model;

namespace Ariadne.Analysis.Tests.Metrics;

public class SpanFingerprintMapTests
{
    [Fact]
    public void RandomAddsAndRemoves_AgreeWithADictionary_ThroughGrowthAndClear()
    {
        var map = new SpanFingerprintMap<int>();
        var reference = new Dictionary<ulong, int>();
        var random = new Random(42);

        // Few distinct keys drawn often, so removals hit long chains and wrap around the table's end.
        var keys = new ulong[20_000];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = SpanFingerprint.Of(new TraceId(0, (ulong)(i / 50)), new SpanId((ulong)i + 1));
        }

        for (var step = 0; step < 300_000; step++)
        {
            var key = keys[random.Next(keys.Length)];
            switch (random.Next(3))
            {
                case 0:
                    map.Set(key, step);
                    reference[key] = step;
                    break;
                case 1:
                    Assert.Equal(reference.Remove(key, out var expected), map.Remove(key, out var removed));
                    Assert.Equal(expected, removed);
                    break;
                default:
                    Assert.Equal(reference.TryGetValue(key, out var held), map.TryGetValue(key, out var found));
                    Assert.Equal(held, found);
                    break;
            }

            Assert.Equal(reference.Count, map.Count);
            if (step == 150_000)
            {
                map.Clear();
                reference.Clear();
            }
        }

        // Every survivor is still reachable after all the shifting, and ForEach sees each value once.
        foreach (var (key, value) in reference)
        {
            Assert.True(map.TryGetValue(key, out var found));
            Assert.Equal(value, found);
        }

        var visited = new List<int>();
        map.ForEach(visited, static (list, value) => list.Add(value));
        Assert.Equal(reference.Values.Order(), visited.Order());
    }

    [Fact]
    public void Remove_InTheMiddleOfAChain_KeepsTheRestFindable()
    {
        var map = new SpanFingerprintMap<int>();

        // Fingerprints are keyed, so collisions cannot be chosen; 700 entries in 1,024 slots make long chains.
        var keys = Enumerable.Range(1, 500).Select(i => SpanFingerprint.Of(new TraceId(1, 2), new SpanId((ulong)i))).ToArray();
        for (var i = 0; i < keys.Length; i++)
        {
            map.Set(keys[i], i);
        }

        for (var i = 0; i < keys.Length; i += 2)
        {
            Assert.True(map.Remove(keys[i], out var value));
            Assert.Equal(i, value);
            Assert.False(map.Remove(keys[i], out _));
        }

        for (var i = 1; i < keys.Length; i += 2)
        {
            Assert.True(map.TryGetValue(keys[i], out var value));
            Assert.Equal(i, value);
        }

        Assert.Equal(keys.Length / 2, map.Count);
    }

    [Fact]
    public void Of_IdsChosenToFoldAlike_StillSpreadOverSlots()
    {
        // Each span id equals its trace id's low half, so folding the ids with XOR gives 0 for all of them:
        // with such a hash a client could put every pending edge in one probe chain.
        var homes = new HashSet<ulong>();
        for (ulong i = 1; i <= 1000; i++)
        {
            homes.Add(SpanFingerprint.Of(new TraceId(0, i), new SpanId(i)) & ((1 << 20) - 1));
        }

        Assert.True(homes.Count >= 990, $"{homes.Count} distinct home slots of 1000 keys");
    }
}
