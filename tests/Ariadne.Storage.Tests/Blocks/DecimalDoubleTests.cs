using Ariadne.Storage.Blocks.V1;
using FsCheck;
using FsCheck.Fluent;

namespace Ariadne.Storage.Tests.Blocks;

public class DecimalDoubleTests
{
    [Theory]
    [InlineData(0.25, 2, 25)]
    [InlineData(12.5, 1, 125)]
    [InlineData(3.0, 0, 3)]
    [InlineData(-0.07, 2, -7)]
    [InlineData(0.1, 1, 1)]
    public void TryEncode_ShortDecimals_UseTheSmallestScale(double value, int scale, long mantissa)
    {
        Assert.True(DecimalDouble.TryEncode(value, out var s, out var m));
        Assert.Equal((scale, mantissa), (s, m));
        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(DecimalDouble.Decode(s, m)));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-0.0)]
    [InlineData(1e300)]
    [InlineData(0.123456789012345678)]
    public void TryEncode_ValuesWithoutAShortExactDecimal_AreRefused(double value) =>
        Assert.False(DecimalDouble.TryEncode(value, out _, out _));

    [Fact]
    public void TryEncode_AnyDouble_EitherRefusesOrComesBackBitForBit()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<long>(), bits =>
        {
            var value = BitConverter.Int64BitsToDouble(bits);
            return !DecimalDouble.TryEncode(value, out var s, out var m)
                || BitConverter.DoubleToInt64Bits(DecimalDouble.Decode(s, m)) == bits;
        }).QuickCheckThrowOnFailure();

        Prop.ForAll(ArbMap.Default.ArbFor<int>(), ArbMap.Default.ArbFor<byte>(), (mantissa, scale) =>
        {
            var value = mantissa / Math.Pow(10, scale % 8);
            return DecimalDouble.TryEncode(value, out var s, out var m)
                && BitConverter.DoubleToInt64Bits(DecimalDouble.Decode(s, m)) == BitConverter.DoubleToInt64Bits(value);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Decode_OutOfRange_IsDamage()
    {
        Assert.Throws<InvalidDataException>(() => DecimalDouble.Decode(16, 1));
        Assert.Throws<InvalidDataException>(() => DecimalDouble.Decode(0, long.MaxValue));
    }
}
