namespace Ariadne.Storage.Search;

internal enum PredicateValueKind
{
    None,
    String,
    Int,
    Double,
    Bool,

    /// <summary>Text compared with a value's text form: a string as it is, an int, double or bool as parsed from the text (Jaeger's tag search).</summary>
    Text,
}
