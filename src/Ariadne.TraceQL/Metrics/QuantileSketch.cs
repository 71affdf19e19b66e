namespace Ariadne.TraceQL.Metrics;

/// <summary>
/// Counts of positive values in logarithmic buckets a factor of about 1.02 wide, so any quantile comes
/// back within 1% of a value that was added (relative-error sketch); zero and negative values are kept
/// apart. Memory is a fixed array per sketch, whatever the number of values.
/// </summary>
internal sealed class QuantileSketch
{
    private const double RelativeAccuracy = 0.01;
    private static readonly double Gamma = (1 + RelativeAccuracy) / (1 - RelativeAccuracy);
    private static readonly double InverseLogGamma = 1 / Math.Log(Gamma);

    // Covers 1e-12 to 1e12 (durations in seconds from a picosecond to 30,000 years).
    private static readonly int Offset = (int)Math.Ceiling(Math.Log(1e-12) * InverseLogGamma) * -1;
    private static readonly int Size = Offset + (int)Math.Ceiling(Math.Log(1e12) * InverseLogGamma) + 1;

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

        var index = (int)Math.Ceiling(Math.Log(value) * InverseLogGamma) + Offset;
        _counts[Math.Clamp(index, 0, Size - 1)]++;
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
                // The bucket (gamma^(i-1), gamma^i] is represented by the value equally far, relatively, from both ends.
                return 2 * Math.Pow(Gamma, i - Offset) / (Gamma + 1);
            }
        }

        return double.NaN;
    }
}
