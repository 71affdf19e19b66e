namespace Ariadne.TraceQL.Metrics;

/// <summary>
/// Counts of positive values in buckets of 1/64 of a power of two, read straight from the bits of the
/// double (exponent, then the mantissa's top six bits): no logarithm per value. A bucket is under
/// 1.6% wide and is represented by its middle, so any quantile comes back within 0.8% of a value that
/// was added. Zero and negative values are kept apart; values outside 2^-40 … 2^40 (about 1e-12 to
/// 1e12) count in the end buckets. Memory is a fixed array per sketch, whatever the number of values.
/// </summary>
internal sealed class QuantileSketch
{
    private const int SubBuckets = 64;
    private const int MinExponent = -40;
    private const int MaxExponent = 40;
    private const int Size = (MaxExponent - MinExponent + 1) * SubBuckets;

    private readonly long[] _counts = new long[Size];
    private long _nonPositive;

    public long Count { get; private set; }

    public void Add(double value)
    {
        Count++;
        if (!(value > 0))
        {
            _nonPositive++;
            return;
        }

        var bits = BitConverter.DoubleToInt64Bits(value);
        var exponent = (int)((bits >> 52) & 0x7FF) - 1023;
        int index;
        if (exponent < MinExponent)
        {
            index = 0;
        }
        else if (exponent > MaxExponent)
        {
            index = Size - 1;
        }
        else
        {
            index = ((exponent - MinExponent) * SubBuckets) + (int)((bits >> 46) & (SubBuckets - 1));
        }

        _counts[index]++;
    }

    /// <summary>The value at quantile <paramref name="q"/> (0–1), or NaN when empty.</summary>
    public double Quantile(double q)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Floor(q * (Count - 1));
        if (rank < _nonPositive)
        {
            return 0;
        }

        var seen = _nonPositive;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen > rank)
            {
                var exponent = (i / SubBuckets) + MinExponent;
                var fraction = 1 + (((i % SubBuckets) + 0.5) / SubBuckets);
                return Math.ScaleB(fraction, exponent);
            }
        }

        return double.NaN;
    }
}
