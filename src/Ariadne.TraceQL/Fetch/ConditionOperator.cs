namespace Ariadne.TraceQL.Fetch;

internal enum ConditionOperator
{
    /// <summary>The field is needed; no filtering on it.</summary>
    None,
    Equal,
    NotEqual,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,

    /// <summary>Matches the regular expression (anchored at both ends).</summary>
    Regex,
    NotRegex,
}
