using Ariadne.Model;
using Ariadne.Storage.Blocks;

namespace Ariadne.Storage.Tests.Blocks;

public class BloomFilterTests
{
    [Fact]
    public void MightContain_AddedIds_AlwaysTrueAndOthersAtMostOnePercent()
    {
        var random = new Random(11);
        var added = new HashSet<TraceId>();
        var bloom = BloomFilter.Create(100_000);
        while (added.Count < 100_000)
        {
            var id = new TraceId((ulong)random.NextInt64(), (ulong)random.NextInt64());
            added.Add(id);
            bloom.Add(id);
        }

        Assert.All(added, id => Assert.True(bloom.MightContain(id)));
        var falsePositives = 0;
        const int Probes = 200_000;
        for (var i = 0; i < Probes; i++)
        {
            var id = new TraceId((ulong)random.NextInt64(), (ulong)random.NextInt64());
            if (!added.Contains(id) && bloom.MightContain(id))
            {
                falsePositives++;
            }
        }

        var rate = falsePositives / (double)Probes;
        Assert.True(rate <= 0.01, $"false-positive rate {rate:P3} is above 1%");
    }

    [Fact]
    public void MightContain_SequentialIds_StayUnderOnePercent()
    {
        var bloom = BloomFilter.Create(50_000);
        for (ulong i = 1; i <= 50_000; i++)
        {
            bloom.Add(new TraceId(0, i));
        }

        var falsePositives = 0;
        for (ulong i = 50_001; i <= 150_000; i++)
        {
            falsePositives += bloom.MightContain(new TraceId(0, i)) ? 1 : 0;
        }

        Assert.True(falsePositives <= 1000, $"{falsePositives} false positives in 100,000");
    }

    [Fact]
    public void Deserialize_RoundTripsAndRejectsAFlippedByte()
    {
        var bloom = BloomFilter.Create(100);
        bloom.Add(new TraceId(1, 2));
        var bytes = bloom.Serialize();
        Assert.True(BloomFilter.Deserialize(bytes).MightContain(new TraceId(1, 2)));
        bytes[20] ^= 0x40;
        Assert.Throws<InvalidDataException>(() => BloomFilter.Deserialize(bytes));
    }
}
