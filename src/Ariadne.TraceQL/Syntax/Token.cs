namespace Ariadne.TraceQL.Syntax;

/// <summary>
/// A token and where it starts (0-based offset into the query). <see cref="Text"/> is the identifier or
/// the unescaped string; numbers carry their value; <see cref="Adjacent"/> says no space precedes it.
/// </summary>
internal readonly record struct Token(TokenKind Kind, int Offset, string Text = "", long Integer = 0, double Float = 0, bool Adjacent = false);
