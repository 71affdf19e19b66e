using System.Diagnostics;
using System.Text;
using Ariadne.Instrumentation.Propagation;
using Ariadne.Protocols.Tests.Fuzzing;

namespace Ariadne.Instrumentation.Tests.Fuzzing;

/// <summary>
/// The header parsers a service runs on every inbound request (traceparent, tracestate, baggage, B3)
/// over 100,000 mutated values each: they answer valid or not and never throw, and what they accept
/// keeps to the specification's limits.
/// </summary>
public class PropagationFuzzTests
{
    private static readonly byte[][] Tokens =
    [
        .. new[]
        {
            "-", "=", ",", ";", "%", "%ZZ", "%F0%9F", "%00", "@", " ", "\t", "00", "ff", "01", "0000000000000000", "00000000000000000000000000000000",
            "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "\u00e9", "\ud83d\ude00", "\0", "\r\n", new string('a', 300), "d", "1", "true",
        }.Select(Encoding.UTF8.GetBytes),
    ];

    [Fact]
    public void TraceParent_MutatedValues_AnswerValidOrNot()
    {
        var summary = Run("traceparent", 11, ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-extra", "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09"], value =>
        {
            var valid = TraceContext.TryParseTraceParent(value, out var context);
            Assert.Equal(valid, TraceContext.IsValidTraceParent(value));
            if (valid)
            {
                Assert.Equal(value.Substring(3, 32), context.TraceId.ToHexString());
            }

            return valid;
        });
        Assert.InRange(summary.Accepted, 1, summary.Inputs - 1);
    }

    [Fact]
    public void TraceState_MutatedValues_AnswerANormalisedValueOrNone()
    {
        var summary = Run("tracestate", 12, ["rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", "tenant@vendor=x,a=b, c=d ,,", "k=" + new string('v', 256)], value =>
        {
            var kept = TraceContext.ValidateTraceState(value);
            if (kept is not null)
            {
                Assert.InRange(kept.Split(',').Length, 1, TraceContext.MaxTraceStateMembers);
                Assert.Equal(kept, TraceContext.ValidateTraceState(kept));
            }

            return kept is not null;
        });
        Assert.InRange(summary.Accepted, 1, summary.Inputs - 1);
    }

    [Fact]
    public void Baggage_MutatedValues_AreTakenWithinLimits()
    {
        var propagator = new AriadnePropagator { MaxBaggageEntries = 16 };
        var summary = Run("baggage", 13, ["userId=alice,serverNode=DF%2028,isProduction=false", "key1=value1;property1;property2, key2 = value2", "a=%F0%9F%98%80;p=1"], value =>
        {
            var baggage = propagator.ExtractBaggage(value, static (carrier, name, out value, out values) =>
            {
                value = name == "baggage" ? (string?)carrier : null;
                values = null;
            });
            if (baggage is not null)
            {
                Assert.InRange(baggage.Count(), 1, 16);
            }

            return baggage is not null;
        });
        Assert.InRange(summary.Accepted, 1, summary.Inputs - 1);
    }

    [Fact]
    public void B3_MutatedValues_AnswerValidOrNot()
    {
        var summary = Run("b3", 14, ["80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90", "64fe8b2a57d3eff7-e457b5a2e4d86bd1-d", "0"], value =>
        {
            var single = B3.TryParseSingle(value, out var context);
            var parts = value.Split('-');
            _ = B3.TryParseMulti(parts[0], parts.Length > 1 ? parts[1] : null, parts.Length > 2 ? parts[2] : null, parts.Length > 3 ? parts[3] : null, out _);
            if (single)
            {
                Assert.NotEqual(default, context.TraceId);
            }

            return single;
        });
        Assert.InRange(summary.Accepted, 1, summary.Inputs - 1);
    }

    [Fact]
    public void Extract_MutatedHeaderSets_NeverThrow()
    {
        var propagator = new AriadnePropagator();
        var summary = Run("extract", 15, ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\nrojo=1\n80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1"], value =>
        {
            var headers = value.Split('\n');
            propagator.ExtractTraceIdAndState(headers, static (carrier, name, out value, out values) =>
            {
                var lines = (string[])carrier!;
                var index = name switch { "traceparent" => 0, "tracestate" => 1, "b3" => 2, _ => 99 };
                value = index < lines.Length ? lines[index] : null;
                values = index == 1 && lines.Length > 3 ? lines[1..] : null;
            }, out var traceId, out _);
            return traceId is not null;
        });
        Assert.InRange(summary.Accepted, 1, summary.Inputs - 1);
    }

    private static FuzzSummary Run(string name, int seed, string[] seeds, Func<string, bool> parse)
    {
        var mutator = new Mutator(FuzzLoop.Seed(seed), [.. seeds.Select(Encoding.UTF8.GetBytes)], Tokens, maxLength: 16 * 1024);
        return FuzzLoop.Run(name, mutator, input => parse(Encoding.UTF8.GetString(input)));
    }
}
