using Ariadne.Analysis.Metrics;
using Ariadne.Model;

namespace Ariadne.Analysis.Tests.Metrics;

public class SpanFingerprintSetTests
{
    [Fact]
    public void Add_ManySpans_GrowsAndFindsEveryOneAndNoOther()
    {
        var set = new SpanFingerprintSet();
        const int Spans = 100_000;
        for (var i = 0; i < Spans; i++)
        {
            // Sequential ids from few traces: the worst case for a hash that only folds bits.
            Assert.True(set.Add(SpanFingerprint.Of(new TraceId(0, (ulong)(i / 1000)), new SpanId((ulong)i + 1))));
        }

        Assert.Equal(Spans, set.Count);
        for (var i = 0; i < Spans; i++)
        {
            var fingerprint = SpanFingerprint.Of(new TraceId(0, (ulong)(i / 1000)), new SpanId((ulong)i + 1));
            Assert.True(set.Contains(fingerprint));
            Assert.False(set.Add(fingerprint));
        }

        // The same span id in another trace, or another span id in the same trace, is another span.
        Assert.False(set.Contains(SpanFingerprint.Of(new TraceId(0, 1000), new SpanId(1))));
        Assert.False(set.Contains(SpanFingerprint.Of(new TraceId(1, 0), new SpanId(1))));
        Assert.False(set.Contains(SpanFingerprint.Of(new TraceId(0, 0), new SpanId(Spans + 1))));
        Assert.Equal(Spans, set.Count);
    }

    [Fact]
    public void Clear_EmptiesTheSet_AndItFillsAgain()
    {
        var set = new SpanFingerprintSet();
        var span = SpanFingerprint.Of(new TraceId(3, 4), new SpanId(5));
        Assert.True(set.Add(span));
        set.Clear();
        Assert.Equal(0, set.Count);
        Assert.False(set.Contains(span));
        Assert.True(set.Add(span));
        Assert.True(set.Contains(span));
    }

    [Fact]
    public void Of_IsNeverTheEmptyMark_AndSeparatesTheThreeIds()
    {
        var seen = new HashSet<ulong>();
        for (ulong a = 0; a < 20; a++)
        {
            for (ulong b = 0; b < 20; b++)
            {
                for (ulong c = 0; c < 20; c++)
                {
                    var fingerprint = SpanFingerprint.Of(new TraceId(a, b), new SpanId(c));
                    Assert.NotEqual(0UL, fingerprint);
                    Assert.True(seen.Add(fingerprint), $"({a}, {b}, {c}) collides");
                }
            }
        }
    }
}
