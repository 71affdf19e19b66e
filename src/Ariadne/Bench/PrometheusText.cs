using System.Globalization;

namespace Ariadne.Cli.Bench;

/// <summary>Reads samples out of the Prometheus text exposition the server's /metrics answers.</summary>
internal static class PrometheusText
{
    /// <summary>The sum of every sample of <paramref name="metric"/>, over all its label sets; 0 when absent.</summary>
    public static double Sum(string exposition, string metric)
    {
        var total = 0.0;
        foreach (var line in exposition.Split('\n'))
        {
            if (!line.StartsWith(metric, StringComparison.Ordinal) || line.Length == metric.Length || line[metric.Length] is not (' ' or '{'))
            {
                continue;
            }

            var value = line.AsSpan(line.LastIndexOf(' ') + 1).Trim();
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var sample))
            {
                total += sample;
            }
        }

        return total;
    }
}
