using System.Globalization;
using System.Text;

namespace Ariadne.TraceQL.Syntax;

/// <summary>
/// Splits a TraceQL query into tokens. Identifiers take in dots and colons (<c>span.http.route</c>,
/// <c>span:id</c>); once a dot has been seen, an attribute name may also hold <c>-</c> and <c>/</c>.
/// Numbers directly followed by a unit are durations (<c>1.5s</c>, <c>1h30m</c>).
/// </summary>
internal static class Lexer
{
    public static List<Token> Tokenize(string query)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            var start = i;
            while (i < query.Length && char.IsWhiteSpace(query[i]))
            {
                i++;
            }

            var adjacent = i == start;
            if (i >= query.Length)
            {
                tokens.Add(new Token(TokenKind.End, i, Adjacent: adjacent));
                return tokens;
            }

            var c = query[i];
            var next = i + 1 < query.Length ? query[i + 1] : '\0';
            var third = i + 2 < query.Length ? query[i + 2] : '\0';
            Token Symbol(TokenKind kind, int length)
            {
                var token = new Token(kind, i, Adjacent: adjacent);
                i += length;
                return token;
            }

            switch (c)
            {
                case '{': tokens.Add(Symbol(TokenKind.OpenBrace, 1)); continue;
                case '}': tokens.Add(Symbol(TokenKind.CloseBrace, 1)); continue;
                case '(': tokens.Add(Symbol(TokenKind.OpenParen, 1)); continue;
                case ')': tokens.Add(Symbol(TokenKind.CloseParen, 1)); continue;
                case ',': tokens.Add(Symbol(TokenKind.Comma, 1)); continue;
                case '+': tokens.Add(Symbol(TokenKind.Plus, 1)); continue;
                case '-': tokens.Add(Symbol(TokenKind.Minus, 1)); continue;
                case '*': tokens.Add(Symbol(TokenKind.Star, 1)); continue;
                case '/': tokens.Add(Symbol(TokenKind.Slash, 1)); continue;
                case '%': tokens.Add(Symbol(TokenKind.Percent, 1)); continue;
                case '^': tokens.Add(Symbol(TokenKind.Caret, 1)); continue;
                case '~': tokens.Add(Symbol(TokenKind.Tilde, 1)); continue;
                case '|' when next == '|': tokens.Add(Symbol(TokenKind.Or, 2)); continue;
                case '|': tokens.Add(Symbol(TokenKind.Pipe, 1)); continue;
                case '&' when next == '&': tokens.Add(Symbol(TokenKind.And, 2)); continue;
                case '=' when next == '~': tokens.Add(Symbol(TokenKind.Regex, 2)); continue;
                case '=': tokens.Add(Symbol(TokenKind.Equal, 1)); continue;
                case '!' when next == '=': tokens.Add(Symbol(TokenKind.NotEqual, 2)); continue;
                case '!' when next == '~': tokens.Add(Symbol(TokenKind.NotRegex, 2)); continue;
                case '!' when next == '>' && third == '>': tokens.Add(Symbol(TokenKind.NotDescendant, 3)); continue;
                case '!' when next == '>': tokens.Add(Symbol(TokenKind.NotChild, 2)); continue;
                case '!' when next == '<' && third == '<': tokens.Add(Symbol(TokenKind.NotAncestor, 3)); continue;
                case '!' when next == '<': tokens.Add(Symbol(TokenKind.NotParent, 2)); continue;
                case '!': tokens.Add(Symbol(TokenKind.Not, 1)); continue;
                case '>' when next == '>': tokens.Add(Symbol(TokenKind.Descendant, 2)); continue;
                case '>' when next == '=': tokens.Add(Symbol(TokenKind.GreaterOrEqual, 2)); continue;
                case '>': tokens.Add(Symbol(TokenKind.Greater, 1)); continue;
                case '<' when next == '<': tokens.Add(Symbol(TokenKind.Ancestor, 2)); continue;
                case '<' when next == '=': tokens.Add(Symbol(TokenKind.LessOrEqual, 2)); continue;
                case '<': tokens.Add(Symbol(TokenKind.Less, 1)); continue;
                case '"' or '`':
                    tokens.Add(ReadString(query, ref i, adjacent));
                    continue;
            }

            if (char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(next) && !IsNameContinuation(tokens)))
            {
                tokens.Add(ReadNumber(query, ref i, adjacent));
                continue;
            }

            if (char.IsAsciiLetter(c) || c == '_' || c == '.')
            {
                tokens.Add(ReadIdentifier(query, ref i, adjacent));
                continue;
            }

            throw TraceQLException.At(query, i, $"unexpected character '{c}'");
        }
    }

    // ".5" after "span." would be a name, not a number; numbers never directly follow an identifier.
    private static bool IsNameContinuation(List<Token> tokens) =>
        tokens.Count > 0 && tokens[^1].Kind == TokenKind.Identifier && tokens[^1].Text.EndsWith('.');

    private static Token ReadIdentifier(string query, ref int i, bool adjacent)
    {
        var start = i;
        var sawDot = false;
        while (i < query.Length)
        {
            var c = query[i];
            if (char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':' || c > 127)
            {
                i++;
            }
            else if (c == '.')
            {
                sawDot = true;
                i++;
            }
            else if (sawDot && (c == '-' || c == '/' || c == '@' || c == '#' || c == '$'))
            {
                i++;
            }
            else
            {
                break;
            }
        }

        return new Token(TokenKind.Identifier, start, query[start..i], Adjacent: adjacent);
    }

    private static Token ReadNumber(string query, ref int i, bool adjacent)
    {
        var start = i;
        while (i < query.Length && char.IsAsciiDigit(query[i]))
        {
            i++;
        }

        var isFloat = false;
        if (i < query.Length && query[i] == '.' && i + 1 < query.Length && char.IsAsciiDigit(query[i + 1]))
        {
            isFloat = true;
            i++;
            while (i < query.Length && char.IsAsciiDigit(query[i]))
            {
                i++;
            }
        }

        if (i < query.Length && (query[i] == 'e' || query[i] == 'E')
            && (i + 1 < query.Length && (char.IsAsciiDigit(query[i + 1]) || ((query[i + 1] == '+' || query[i + 1] == '-') && i + 2 < query.Length && char.IsAsciiDigit(query[i + 2])))))
        {
            isFloat = true;
            i += 2;
            while (i < query.Length && char.IsAsciiDigit(query[i]))
            {
                i++;
            }
        }

        if (i < query.Length && (char.IsAsciiLetter(query[i]) || query[i] == 'µ'))
        {
            i = start;
            return ReadDuration(query, ref i, adjacent);
        }

        var text = query[start..i];
        if (isFloat)
        {
            return new Token(TokenKind.Float, start, text, Float: double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture), Adjacent: adjacent);
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw TraceQLException.At(query, start, $"integer {text} is too large");
        }

        return new Token(TokenKind.Integer, start, text, Integer: value, Adjacent: adjacent);
    }

    /// <summary>One or more number-unit pairs (<c>1h30m</c>), as Go's durations and Tempo read them.</summary>
    private static Token ReadDuration(string query, ref int i, bool adjacent)
    {
        var start = i;
        decimal total = 0;
        while (i < query.Length && (char.IsAsciiDigit(query[i]) || query[i] == '.'))
        {
            var numberStart = i;
            while (i < query.Length && (char.IsAsciiDigit(query[i]) || query[i] == '.'))
            {
                i++;
            }

            if (!decimal.TryParse(query.AsSpan(numberStart, i - numberStart), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                throw TraceQLException.At(query, numberStart, $"malformed number '{query[numberStart..i]}'");
            }

            var unitStart = i;
            while (i < query.Length && (char.IsAsciiLetter(query[i]) || query[i] == 'µ'))
            {
                i++;
            }

            var unit = query[unitStart..i];
            decimal? nanos = unit switch
            {
                "ns" => 1m,
                "us" or "µs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => null,
            };
            if (nanos is null)
            {
                throw TraceQLException.At(query, unitStart, unit.Length == 0
                    ? "expected a duration unit (ns, us, ms, s, m, h)"
                    : $"unknown duration unit '{unit}': expected ns, us, ms, s, m or h");
            }

            // Checked before multiplying: a long enough number overflows even a decimal.
            if (number > long.MaxValue / nanos.Value)
            {
                throw TraceQLException.At(query, start, "duration is too large");
            }

            total += number * nanos.Value;
            if (total > long.MaxValue)
            {
                throw TraceQLException.At(query, start, "duration is too large");
            }
        }

        return new Token(TokenKind.Duration, start, query[start..i], Integer: (long)decimal.Truncate(total), Adjacent: adjacent);
    }

    private static Token ReadString(string query, ref int i, bool adjacent)
    {
        var start = i;
        var quote = query[i++];
        var text = new StringBuilder();
        while (true)
        {
            if (i >= query.Length)
            {
                throw TraceQLException.At(query, start, $"string is not closed: expected {quote}");
            }

            var c = query[i++];
            if (c == quote)
            {
                return new Token(TokenKind.String, start, text.ToString(), Adjacent: adjacent);
            }

            if (c != '\\' || quote == '`')
            {
                text.Append(c);
                continue;
            }

            if (i >= query.Length)
            {
                throw TraceQLException.At(query, start, $"string is not closed: expected {quote}");
            }

            var escaped = query[i++];
            switch (escaped)
            {
                case '"' or '\\' or '/' or '\'': text.Append(escaped); break;
                case 'n': text.Append('\n'); break;
                case 't': text.Append('\t'); break;
                case 'r': text.Append('\r'); break;
                case 'u' when i + 4 <= query.Length && int.TryParse(query.AsSpan(i, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                    text.Append((char)code);
                    i += 4;
                    break;
                default:
                    throw TraceQLException.At(query, i - 2, $"unknown escape '\\{escaped}' in string: expected \\\" \\\\ \\n \\t \\r or \\uXXXX");
            }
        }
    }
}
