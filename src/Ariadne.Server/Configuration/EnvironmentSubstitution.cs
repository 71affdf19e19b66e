using System.Text;

namespace Ariadne.Server.Configuration;

/// <summary>
/// The Collector's <c>${env:NAME}</c> references in a config file, replaced before it is parsed;
/// <c>${env:NAME:-default}</c> gives a default, <c>$$</c> is a literal <c>$</c>. A variable that is
/// not set and has no default is an error naming its line and column: an empty API key or endpoint
/// would be worse than not starting. References inside <c>#</c> comments are left alone.
/// </summary>
internal static class EnvironmentSubstitution
{
    public static string Apply(string text, string sourceName, Func<string, string?> lookup)
    {
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var output = new StringBuilder(text.Length);
        var errors = new List<string>();
        int line = 1, column = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];

            // Comments are copied as they are: a variable mentioned in one is not needed.
            if (c == '#' && (i == 0 || text[i - 1] is ' ' or '\t' or '\n'))
            {
                var lineEnd = text.IndexOf('\n', i);
                lineEnd = lineEnd < 0 ? text.Length : lineEnd;
                output.Append(text, i, lineEnd - i);
                column += lineEnd - i;
                i = lineEnd - 1;
                continue;
            }

            if (c == '$' && i + 1 < text.Length && text[i + 1] == '$')
            {
                output.Append('$');
                i++;
                column += 2;
                continue;
            }

            if (c == '$' && string.CompareOrdinal(text, i, "${env:", 0, 6) == 0)
            {
                var end = text.IndexOf('}', i);
                var newline = text.IndexOf('\n', i);
                if (end < 0 || (newline >= 0 && newline < end))
                {
                    errors.Add($"{sourceName}:{line}:{column}: '${{env:' is not closed with '}}'");
                    output.Append(c);
                    column++;
                    continue;
                }

                var body = text[(i + 6)..end];
                var separator = body.IndexOf(":-", StringComparison.Ordinal);
                var name = separator < 0 ? body : body[..separator];
                if (name.Length == 0 || !IsName(name))
                {
                    errors.Add($"{sourceName}:{line}:{column}: '{text[i..(end + 1)]}' does not name an environment variable (letters, digits and _)");
                }
                else if (lookup(name) is { } value)
                {
                    output.Append(value);
                }
                else if (separator >= 0)
                {
                    output.Append(body[(separator + 2)..]);
                }
                else
                {
                    errors.Add($"{sourceName}:{line}:{column}: environment variable {name} is not set; set it or give a default as ${{env:{name}:-value}}");
                }

                column += end + 1 - i;
                i = end;
                continue;
            }

            output.Append(c);
            if (c == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        if (errors.Count > 0)
        {
            throw new ConfigurationException(string.Join(Environment.NewLine, errors));
        }

        return output.ToString();
    }

    private static bool IsName(string name)
    {
        if (char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
