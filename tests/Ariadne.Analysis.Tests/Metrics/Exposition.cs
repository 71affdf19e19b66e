using System.Globalization;
using System.Text;
using Ariadne.Analysis.Metrics;

namespace Ariadne.Analysis.Tests.Metrics;

/// <summary>Reads series values back out of the text an analyzer writes.</summary>
internal static class Exposition
{
    public static string Write(SpanMetrics metrics, bool openMetrics = false)
    {
        var text = new StringBuilder();
        metrics.WriteTo(text, openMetrics);
        return text.ToString();
    }

    public static string Write(ServiceGraph graph, long nowUnixMillis, bool openMetrics = false)
    {
        var text = new StringBuilder();
        graph.WriteTo(text, openMetrics, nowUnixMillis);
        return text.ToString();
    }

    /// <summary>The value of the one sample whose name and labels are exactly <paramref name="series"/>; null when absent.</summary>
    public static double? Value(string text, string series)
    {
        double? found = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                Assert.Null(found);
                var value = line[(series.Length + 1)..];
                var hash = value.IndexOf(" #", StringComparison.Ordinal);
                found = double.Parse(hash < 0 ? value : value[..hash], CultureInfo.InvariantCulture);
            }
        }

        return found;
    }

    /// <summary>The lines of samples of a metric (not its HELP and TYPE).</summary>
    public static List<string> Samples(string text, string name) =>
        [.. text.Split('\n').Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) || l.StartsWith(name + " ", StringComparison.Ordinal))];
}
