using System.Text;

namespace Ariadne.Server.Query.Tempo;

/// <summary>
/// logfmt as Tempo's search takes it: <c>key=value</c> pairs separated by spaces, values optionally in
/// double quotes with <c>\"</c> and <c>\\</c> escapes.
/// </summary>
internal static class Logfmt
{
    public static bool TryParse(string text, out List<(string Key, string Value)> pairs, out string error)
    {
        pairs = [];
        error = string.Empty;
        var i = 0;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                return true;
            }

            var keyStart = i;
            while (i < text.Length && text[i] != '=' && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var key = text[keyStart..i];
            if (key.Length == 0 || i == text.Length || text[i] != '=')
            {
                error = $"expected key=value at character {keyStart + 1}, found '{(key.Length == 0 ? text[keyStart].ToString() : key)}'";
                return false;
            }

            i++;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var builder = new StringBuilder();
                i++;
                while (true)
                {
                    if (i == text.Length)
                    {
                        error = $"the quoted value of '{key}' is not closed";
                        return false;
                    }

                    var c = text[i++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\' && i < text.Length)
                    {
                        c = text[i++];
                        c = c switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => c };
                    }

                    builder.Append(c);
                }

                value = builder.ToString();
            }
            else
            {
                var valueStart = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    i++;
                }

                value = text[valueStart..i];
            }

            pairs.Add((key, value));
        }
    }
}
