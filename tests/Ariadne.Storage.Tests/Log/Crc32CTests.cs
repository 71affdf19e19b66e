using System.Text;
using Ariadne.Storage.Log;

namespace Ariadne.Storage.Tests.Log;

public class Crc32CTests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("123456789", 0xE3069283u)]
    [InlineData("The quick brown fox jumps over the lazy dog", 0x22620404u)]
    public void Compute_KnownVectors_Match(string text, uint expected)
    {
        Assert.Equal(expected, Crc32C.Compute(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(expected, Crc32C.ComputeSoftware(Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void Compute_HardwareAndTable_AgreeOnEveryLength()
    {
        var random = new Random(3);
        for (var length = 0; length < 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(Crc32C.ComputeSoftware(data), Crc32C.Compute(data));
        }
    }

    [Fact]
    public void Compute_32ZeroBytes_MatchesTheRfc3720Vector() => Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
}
