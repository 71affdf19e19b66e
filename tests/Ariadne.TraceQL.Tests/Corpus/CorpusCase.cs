namespace Ariadne.TraceQL.Tests.Corpus;

/// <summary>One case of the query corpus: the query, and its canonical print, matching traces or error.</summary>
public sealed record CorpusCase(int Line, string Query, string? Printed, string[]? Traces, string? Error)
{
    public override string ToString() => $"line {Line}: {Query.ReplaceLineEndings(" ")}";

    public static IReadOnlyList<CorpusCase> Load()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Corpus", "queries.txt"));
        var cases = new List<CorpusCase>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("q:", StringComparison.Ordinal))
            {
                continue;
            }

            var start = i + 1;
            var query = new List<string> { lines[i][2..].TrimStart() };
            string? printed = null, error = null;
            string[]? traces = null;
            for (i++; i < lines.Length && lines[i].Length > 0; i++)
            {
                var line = lines[i];
                if (line.StartsWith("p: ", StringComparison.Ordinal))
                {
                    printed = line[3..];
                }
                else if (line.StartsWith("t: ", StringComparison.Ordinal))
                {
                    traces = line[3..] == "-" ? [] : line[3..].Split(',');
                }
                else if (line.StartsWith("e: ", StringComparison.Ordinal))
                {
                    error = line[3..];
                }
                else
                {
                    query.Add(line);
                }
            }

            cases.Add(new CorpusCase(start, string.Join('\n', query), printed, traces, error));
        }

        return cases;
    }
}
