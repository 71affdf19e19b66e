namespace Ariadne.Storage.Search;

internal enum PredicateValueKind
{
    None,
    String,
    Int,
    Double,
    Bool,
}
