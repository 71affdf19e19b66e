namespace Ariadne.Web.Search;

/// <summary>
/// What the end of a query needs: the kind, the tag or scope it concerns, the part already typed, and
/// the query before that part (which each suggestion keeps).
/// </summary>
internal readonly record struct Completion(CompletionKind Kind, string Tag, string Partial, string Prefix);
