using System.Text;
using Ariadne.Protocols.Tests.Fuzzing;
using Ariadne.TraceQL.Engine;
using Ariadne.TraceQL.Metrics;
using Ariadne.TraceQL.Syntax;

namespace Ariadne.TraceQL.Tests.Fuzzing;

/// <summary>
/// The TraceQL parser (search and metrics) over 100,000 mutations of the corpus queries: it answers with a
/// tree or a <see cref="TraceQLException"/>, never another exception, a hang or a stack overflow.
/// </summary>
public class ParserFuzzTests
{
    private static readonly byte[][] Tokens =
    [
        .. new[]
        {
            "{", "}", "(", ")", "&&", "||", ">>", "<<", "~", "!>>", "!~", "=~", "!=", ">=", "|", " | rate()", " | count_over_time() by (span.a)",
            " | quantile_over_time(duration, .5, .99)", "select(", "by(", "coalesce()", "span.", "resource.", "event.", "link.", "instrumentation.",
            "parent.", ".\"a b\"", "span:id", "trace:duration", "duration", "status", "kind", "nil", "true", "\"", "\\", "\"\\u", "-", "^", "*",
            "%", "!", "1e308", "99999999999999999999", "-9223372036854775808", "1ns", "9999999h", "0.", ".5", "count()", "avg(", "max(duration)",
            "with(sample=0.5)", "&& { }", " > 3", "\u00e9", "\ud83d\ude00", "\0",
        }.Select(Encoding.UTF8.GetBytes),
    ];

    [Fact]
    public void Parse_MutatedCorpusQueries_AnswerATreeOrATraceQLException()
    {
        var seeds = new List<byte[]>();
        foreach (var line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Corpus", "queries.txt")))
        {
            if (line.StartsWith("q: ", StringComparison.Ordinal))
            {
                seeds.Add(Encoding.UTF8.GetBytes(line[3..]));
            }
        }

        seeds.Add(Encoding.UTF8.GetBytes("{ span.http.status_code >= 500 } | rate() by (resource.service.name)"));
        seeds.Add(Encoding.UTF8.GetBytes("{ duration > 1s } | quantile_over_time(duration, .5, .9) with (sample=0.1)"));
        var summary = FuzzLoop.Run("TraceQL", new Mutator(FuzzLoop.Seed(5), seeds, Tokens, maxLength: 16 * 1024), input =>
        {
            var query = Encoding.UTF8.GetString(input);
            var metrics = input.Length > 0 && (input[0] & 1) == 0 && query.Contains('|', StringComparison.Ordinal);
            if (metrics)
            {
                MetricsEngine.Parse(query);
            }
            else
            {
                TraceQLEngine.Parse(query);
            }

            return true;
        }, isDocumentedError: e => e is TraceQLException);
        Assert.InRange(summary.Accepted, 1, summary.Inputs - 1);
    }

    [Theory]
    [InlineData("(", "", 20_000)]
    [InlineData("{ (", "", 20_000)]
    [InlineData("{ !", " true }", 20_000)]
    [InlineData("{ -", " 1 = 1 }", 20_000)]
    public void Parse_DeepNesting_IsRefusedWithAReasonNotAStackOverflow(string open, string close, int depth)
    {
        var query = new StringBuilder().Insert(0, open, depth).Append(close).ToString();
        var error = Assert.Throws<TraceQLException>(() => TraceQLEngine.Parse(query));
        Assert.Matches("nested deeper|more than .* operators|expected", error.Reason);
    }

    [Fact]
    public void Parse_LongOperatorChain_IsRefusedPastTheLimit()
    {
        var within = "{ " + string.Join(" || ", Enumerable.Repeat(".a = 1", Parser.MaxOperators / 2)) + " }";
        Assert.NotNull(TraceQLEngine.Parse(within));

        var beyond = string.Join(" && ", Enumerable.Repeat("{ .a = 1 }", Parser.MaxOperators + 2));
        var error = Assert.Throws<TraceQLException>(() => TraceQLEngine.Parse(beyond));
        Assert.Contains("operators", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NestingAtTheLimit_Parses()
    {
        var query = new string('(', Parser.MaxNesting - 1) + "{ .a = 1 }" + new string(')', Parser.MaxNesting - 1);
        Assert.NotNull(TraceQLEngine.Parse(query));
    }

    [Theory]
    [InlineData("{ duration > 99999999999999999999999999h }")]
    [InlineData("{ duration > 9223372036854775808ns }")]
    [InlineData("{ duration > 3000000h }")]
    public void Parse_DurationBeyondTheRange_IsRefusedAsTooLarge(string query)
    {
        var error = Assert.Throws<TraceQLException>(() => TraceQLEngine.Parse(query));
        Assert.Contains("too large", error.Reason, StringComparison.Ordinal);
    }
}
