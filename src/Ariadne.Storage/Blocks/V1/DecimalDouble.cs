namespace Ariadne.Storage.Blocks.V1;

/// <summary>
/// Doubles that are short decimals (0.25, 12.5, 3.0 — most doubles instrumentation reports) stored as
/// a power-of-ten scale and an integer mantissa: a varint of a few bytes instead of 8 random-looking
/// ones. Only values that come back bit for bit are stored this way.
/// </summary>
internal static class DecimalDouble
{
    public const int MaxScale = 15;

    private const double MaxExactMantissa = 9_007_199_254_740_992d; // 2^53: every integer up to it is a double

    private static readonly double[] Powers = CreatePowers();

    public static bool TryEncode(double value, out int scale, out long mantissa)
    {
        scale = 0;
        mantissa = 0;
        if (!double.IsFinite(value) || (value == 0 && double.IsNegative(value)))
        {
            return false;
        }

        for (var k = 0; k <= MaxScale; k++)
        {
            var scaled = Math.Round(value * Powers[k]);
            if (Math.Abs(scaled) >= MaxExactMantissa)
            {
                return false;
            }

            if (BitConverter.DoubleToInt64Bits(scaled / Powers[k]) == BitConverter.DoubleToInt64Bits(value))
            {
                scale = k;
                mantissa = (long)scaled;
                return true;
            }
        }

        return false;
    }

    public static double Decode(int scale, long mantissa)
    {
        if ((uint)scale > MaxScale || Math.Abs((double)mantissa) >= MaxExactMantissa)
        {
            throw new InvalidDataException("decimal double out of range");
        }

        // Both operands are exact doubles, so the quotient is correctly rounded and identical to the one checked when encoding.
        return mantissa / Powers[scale];
    }

    private static double[] CreatePowers()
    {
        var powers = new double[MaxScale + 1];
        var p = 1d;
        for (var i = 0; i <= MaxScale; i++)
        {
            powers[i] = p;
            p *= 10;
        }

        return powers;
    }
}
