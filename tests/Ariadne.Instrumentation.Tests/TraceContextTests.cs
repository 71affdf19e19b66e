using System.Diagnostics;
using Ariadne.Instrumentation.Propagation;

namespace Ariadne.Instrumentation.Tests;

/// <summary>The W3C Trace Context grammar, case by case, as the specification and its test suite state it.</summary>
public class TraceContextTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ParentId = "00f067aa0ba902b7";

    [Theory]
    [InlineData("00-" + TraceId + "-" + ParentId + "-01", true, true)]
    [InlineData("00-" + TraceId + "-" + ParentId + "-00", true, false)]
    [InlineData("00-" + TraceId + "-" + ParentId + "-09", true, true)] // unknown flag bits are ignored
    [InlineData("01-" + TraceId + "-" + ParentId + "-01-future-field", true, true)] // a later version may add fields
    [InlineData("01-" + TraceId + "-" + ParentId + "-01", true, true)]
    [InlineData("00-" + TraceId + "-" + ParentId + "-01-extra", false, false)] // version 00 has exactly 55 characters
    [InlineData("01-" + TraceId + "-" + ParentId + "-01x", false, false)] // after the flags, a later version needs a dash
    [InlineData("ff-" + TraceId + "-" + ParentId + "-01", false, false)] // version ff is forbidden
    [InlineData("0g-" + TraceId + "-" + ParentId + "-01", false, false)]
    [InlineData("00-4BF92F3577B34DA6A3CE929D0E0E4736-" + ParentId + "-01", false, false)] // uppercase
    [InlineData("00-00000000000000000000000000000000-" + ParentId + "-01", false, false)] // all-zero trace id
    [InlineData("00-" + TraceId + "-0000000000000000-01", false, false)] // all-zero parent id
    [InlineData("00-" + TraceId + "-" + ParentId + "-0x", false, false)]
    [InlineData("00-" + TraceId + "-" + ParentId + "01", false, false)]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e473-" + ParentId + "-01", false, false)] // short trace id
    [InlineData("00_" + TraceId + "-" + ParentId + "-01", false, false)]
    [InlineData("", false, false)]
    [InlineData(" 00-" + TraceId + "-" + ParentId + "-01", false, false)]
    public void TraceParent(string value, bool valid, bool sampled)
    {
        Assert.Equal(valid, TraceContext.TryParseTraceParent(value, out var context));
        if (valid)
        {
            Assert.Equal(TraceId, context.TraceId.ToHexString());
            Assert.Equal(ParentId, context.SpanId.ToHexString());
            Assert.Equal(sampled, context.TraceFlags.HasFlag(ActivityTraceFlags.Recorded));
            Assert.True(context.IsRemote);
        }
    }

    [Fact]
    public void FormatTraceParent_RoundTrips()
    {
        Assert.True(TraceContext.TryParseTraceParent("00-" + TraceId + "-" + ParentId + "-01", out var context));
        Assert.Equal("00-" + TraceId + "-" + ParentId + "-01", TraceContext.FormatTraceParent(context));
    }

    [Theory]
    [InlineData("congo=t61rcWkgMzE", "congo=t61rcWkgMzE")]
    [InlineData("rojo=00f067aa0ba902b7, congo=t61rcWkgMzE", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")]
    [InlineData("rojo=1,,  ,congo=2", "rojo=1,congo=2")] // empty members are allowed and dropped
    [InlineData("tenant1@vendor=x", "tenant1@vendor=x")]
    [InlineData("1tenant@vendor=x", "1tenant@vendor=x")]
    [InlineData("a/b*c_d-e=value with spaces", "a/b*c_d-e=value with spaces")]
    [InlineData("Congo=1", null)] // keys are lowercase
    [InlineData("1congo=1", null)] // a simple key starts with a letter
    [InlineData("congo=1,congo=2", null)] // a key twice
    [InlineData("congo=a=b", null)] // '=' is not allowed in a value
    [InlineData("congo=trailing ", "congo=trailing")] // optional whitespace around members is trimmed
    [InlineData("congo", null)]
    [InlineData("tenant@Vendor=x", null)]
    [InlineData("tenant@vendorvendorvend=x", null)] // a system id has at most 14 characters
    [InlineData("", null)]
    public void TraceState(string value, string? expected) => Assert.Equal(expected, TraceContext.ValidateTraceState(value));

    [Fact]
    public void TraceState_AtMost32Members()
    {
        var members = Enumerable.Range(0, 32).Select(i => $"k{i}=v").ToList();
        Assert.NotNull(TraceContext.ValidateTraceState(string.Join(',', members)));
        members.Add("k32=v");
        Assert.Null(TraceContext.ValidateTraceState(string.Join(',', members)));
        Assert.Null(TraceContext.ValidateTraceState("k=" + new string('v', 257)));
        Assert.NotNull(TraceContext.ValidateTraceState("k=" + new string('v', 256)));
    }

    [Theory]
    [InlineData("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90", true, "80f198ee56343ba864fe8b2a57d3eff7", true)]
    [InlineData("e457b5a2e4d86bd1-05e3ac9a4f6e3b90-0", true, "0000000000000000e457b5a2e4d86bd1", false)] // 64-bit trace id
    [InlineData("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d", true, "80f198ee56343ba864fe8b2a57d3eff7", true)] // debug
    [InlineData("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1", true, "80f198ee56343ba864fe8b2a57d3eff7", true)] // deferred: sampled
    [InlineData("0", false, "", false)] // a bare "do not sample" carries no context
    [InlineData("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-x", false, "", false)]
    [InlineData("zzzz98ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1", false, "", false)]
    public void B3Single(string value, bool valid, string traceId, bool sampled)
    {
        Assert.Equal(valid, B3.TryParseSingle(value, out var context));
        if (valid)
        {
            Assert.Equal(traceId, context.TraceId.ToHexString());
            Assert.Equal(sampled, context.TraceFlags.HasFlag(ActivityTraceFlags.Recorded));
        }
    }

    [Fact]
    public void B3Multi_AndFormat()
    {
        Assert.True(B3.TryParseMulti("463ac35c9f6413ad48485a3953bb6124", "a2fb4a1d1a96d312", "0", null, out var context));
        Assert.False(context.TraceFlags.HasFlag(ActivityTraceFlags.Recorded));
        Assert.True(B3.TryParseMulti("463ac35c9f6413ad48485a3953bb6124", "a2fb4a1d1a96d312", "0", "1", out context));
        Assert.True(context.TraceFlags.HasFlag(ActivityTraceFlags.Recorded)); // debug wins
        Assert.False(B3.TryParseMulti("463ac35c9f6413ad48485a3953bb6124", null, "1", null, out _));
        Assert.Equal("463ac35c9f6413ad48485a3953bb6124-a2fb4a1d1a96d312-1", B3.FormatSingle(new ActivityContext(
            ActivityTraceId.CreateFromString("463ac35c9f6413ad48485a3953bb6124"), ActivitySpanId.CreateFromString("a2fb4a1d1a96d312"), ActivityTraceFlags.Recorded)));
    }
}
