using Ariadne.Model;

namespace Ariadne.Model.Tests;

public class TraceIdTests
{
    [Fact]
    public void ToString_AnyId_IsLowercaseHex()
    {
        var id = TraceId.FromBytes(Convert.FromHexString("0AF7651916CD43DD8448EB211C80319C"));
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", id.ToString());
    }

    [Theory]
    [InlineData("0af7651916cd43dd8448eb211c80319c")]
    [InlineData("0AF7651916CD43DD8448EB211C80319C")]
    [InlineData("0aF7651916cD43dD8448eB211c80319C")]
    public void TryParse_EitherCase_RoundTrips(string hex)
    {
        Assert.True(TraceId.TryParse(hex, out var id));
        Assert.Equal(hex.ToLowerInvariant(), id.ToString());
        Assert.Equal(Convert.FromHexString(hex), id.ToByteArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("0af7651916cd43dd8448eb211c80319")]
    [InlineData("0af7651916cd43dd8448eb211c80319c0")]
    [InlineData("0af7651916cd43dd8448eb211c80319g")]
    [InlineData("-af7651916cd43dd8448eb211c80319c")]
    public void TryParse_Malformed_Fails(string hex) => Assert.False(TraceId.TryParse(hex, out _));

    [Fact]
    public void IsValid_AllZero_IsFalse()
    {
        Assert.False(TraceId.Parse("00000000000000000000000000000000").IsValid);
        Assert.True(TraceId.Parse("00000000000000000000000000000001").IsValid);
    }

    [Fact]
    public void CompareTo_OrdersLikeTheBytes()
    {
        var a = TraceId.Parse("00000000000000010000000000000000");
        var b = TraceId.Parse("0000000000000000ffffffffffffffff");
        Assert.True(a > b);
    }

    [Fact]
    public void TryParseLenient_ShortId_IsLeftPadded()
    {
        Assert.True(TraceId.TryParseLenient("463ac35c9f6413ad", out var id));
        Assert.Equal("0000000000000000463ac35c9f6413ad", id.ToString());
    }
}
