namespace Ariadne.TraceQL.Syntax;

/// <summary>A query that cannot run, with where (1-based line and column) and what was expected, in one line.</summary>
internal sealed class TraceQLException : Exception
{
    public TraceQLException(int line, int column, string reason)
        : base($"{line}:{column}: {reason}")
    {
        Line = line;
        Column = column;
        Reason = reason;
    }

    public int Line { get; }

    public int Column { get; }

    public string Reason { get; }

    public static TraceQLException At(string query, int offset, string reason)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < offset && i < query.Length; i++)
        {
            if (query[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return new TraceQLException(line, column, reason);
    }
}
