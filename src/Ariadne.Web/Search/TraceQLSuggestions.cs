using System.Text.RegularExpressions;

namespace Ariadne.Web.Search;

/// <summary>
/// What can come next at the end of a TraceQL query being typed: a scope or intrinsic after <c>{</c>
/// or an operator such as <c>&amp;&amp;</c>, an attribute name after <c>span.</c>, <c>resource.</c> or
/// <c>.</c>, and a value after <c>name =</c>. Each suggestion is the whole query with it applied.
/// </summary>
internal static partial class TraceQLSuggestions
{
    public const int MaxSuggestions = 12;

    public static readonly string[] Starts = ["resource.service.name", "name", "status", "duration", "kind", "span.", "resource.", "traceDuration", "rootServiceName"];

    /// <summary>What the end of <paramref name="query"/> asks for.</summary>
    public static Completion Analyze(string query)
    {
        var value = ValueAtEnd().Match(query);
        if (value.Success)
        {
            return new Completion(CompletionKind.Value, value.Groups["tag"].Value, value.Groups["partial"].Value, query[..value.Groups["partial"].Index]);
        }

        var attribute = AttributeAtEnd().Match(query);
        if (attribute.Success)
        {
            var scope = attribute.Groups["scope"].Value;
            return new Completion(CompletionKind.AttributeName, scope, attribute.Groups["partial"].Value, query[..attribute.Groups["partial"].Index]);
        }

        var start = ConditionStart().Match(query);
        if (start.Success)
        {
            return new Completion(CompletionKind.Field, string.Empty, start.Groups["partial"].Value, query[..start.Groups["partial"].Index]);
        }

        return new Completion(CompletionKind.None, string.Empty, string.Empty, query);
    }

    /// <summary>Candidates that start with what is typed, applied to the query.</summary>
    public static List<string> Apply(Completion completion, IEnumerable<string> candidates)
    {
        var result = new List<string>();
        foreach (var candidate in candidates)
        {
            if (candidate.StartsWith(completion.Partial, StringComparison.OrdinalIgnoreCase) && candidate != completion.Partial)
            {
                var text = completion.Kind == CompletionKind.Value && completion.Tag is not ("status" or "kind" or "span:status" or "span:kind")
                    ? TraceQLText.Quote(candidate)
                    : candidate;
                result.Add(completion.Prefix + text);
                if (result.Count == MaxSuggestions)
                {
                    break;
                }
            }
        }

        return result;
    }

    [GeneratedRegex(@"(?<tag>(?:resource|span)\.[\w.\-]+|\.[\w.\-]+|name|status|kind|rootName|rootServiceName|span:\w+)\s*(?:=|!=|=~)\s*""?(?<partial>[^""&|}]*)$")]
    private static partial Regex ValueAtEnd();

    [GeneratedRegex(@"(?<scope>resource\.|span\.|(?<![\w.])\.)(?<partial>[\w.\-]*)$")]
    private static partial Regex AttributeAtEnd();

    [GeneratedRegex(@"(?:\{|&&|\|\||\()\s*(?<partial>[\w:]*)$")]
    private static partial Regex ConditionStart();
}
