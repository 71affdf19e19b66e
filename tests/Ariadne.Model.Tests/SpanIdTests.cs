using Ariadne.Model;

namespace Ariadne.Model.Tests;

public class SpanIdTests
{
    [Theory]
    [InlineData("b7ad6b7169203331")]
    [InlineData("B7AD6B7169203331")]
    public void TryParse_EitherCase_FormatsLowercase(string hex)
    {
        Assert.True(SpanId.TryParse(hex, out var id));
        Assert.Equal("b7ad6b7169203331", id.ToString());
        Assert.Equal(Convert.FromHexString(hex), id.ToByteArray());
    }

    [Theory]
    [InlineData("b7ad6b716920333")]
    [InlineData("b7ad6b71692033310")]
    [InlineData("b7ad6b716920333z")]
    public void TryParse_Malformed_Fails(string hex) => Assert.False(SpanId.TryParse(hex, out _));

    [Fact]
    public void IsValid_Zero_IsFalse() => Assert.False(SpanId.Parse("0000000000000000").IsValid);
}
