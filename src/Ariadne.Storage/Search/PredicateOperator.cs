namespace Ariadne.Storage.Search;

internal enum PredicateOperator
{
    /// <summary>The field has a value (for attributes: the key is present).</summary>
    Exists,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,

    /// <summary>The string value matches the regular expression anywhere in it.</summary>
    Matches,
}
