using Ariadne.Analysis.Metrics;
using Ariadne.Model;

namespace Ariadne.Analysis.Tests.Metrics;

public class SpanKeyTests
{
    [Fact]
    public void GetHashCode_IdsChosenToFoldAlike_StillSpreadOverBuckets()
    {
        // Each key's span id equals its trace id's low half, so folding the ids with XOR gives 0 for all
        // of them: a client could put every pending edge in one bucket.
        var hashes = new HashSet<int>();
        for (ulong i = 1; i <= 1000; i++)
        {
            hashes.Add(new SpanKey(new TraceId(0, i), new SpanId(i)).GetHashCode());
        }

        Assert.True(hashes.Count >= 990, $"{hashes.Count} distinct hashes of 1000 keys");
    }

    [Fact]
    public void Equals_SameIds_AreEqualWithTheSameHash()
    {
        var a = new SpanKey(new TraceId(5, 6), new SpanId(7));
        var b = new SpanKey(new TraceId(5, 6), new SpanId(7));
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new SpanKey(new TraceId(6, 5), new SpanId(7)));
    }
}
