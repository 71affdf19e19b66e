using System.Text;
using Microsoft.Extensions.Primitives;

namespace Ariadne.Server.Health;

/// <summary>
/// The OpenMetrics variant of /metrics, served when the scraper asks for it (Prometheus does, by default,
/// and then keeps exemplars). The lines are those of the Prometheus text format but for two rules:
/// a counter family is named without its <c>_total</c> suffix, and the body ends with <c># EOF</c>.
/// </summary>
internal static class OpenMetricsExposition
{
    public const string ContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    public static bool IsAccepted(StringValues accept)
    {
        foreach (var value in accept)
        {
            if (value is not null && value.Contains("application/openmetrics-text", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static string FromPrometheusText(StringBuilder text)
    {
        var lines = text.ToString().Split('\n');
        var counters = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal) && line.EndsWith(" counter", StringComparison.Ordinal))
            {
                counters.Add(line["# TYPE ".Length..^" counter".Length]);
            }
        }

        var result = new StringBuilder(text.Length + 64);
        foreach (var line in lines)
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("# ", StringComparison.Ordinal) && line.Length > 7)
            {
                // "# HELP name …" and "# TYPE name counter": the family of a counter sample "x_total" is "x".
                var nameStart = 7;
                var nameEnd = line.IndexOf(' ', nameStart);
                var name = nameEnd < 0 ? line[nameStart..] : line[nameStart..nameEnd];
                if (counters.Contains(name) && name.EndsWith("_total", StringComparison.Ordinal))
                {
                    result.Append(line.AsSpan(0, nameStart)).Append(name.AsSpan(0, name.Length - "_total".Length));
                    result.Append(nameEnd < 0 ? string.Empty : line[nameEnd..]).Append('\n');
                    continue;
                }
            }

            result.Append(line).Append('\n');
        }

        return result.Append("# EOF\n").ToString();
    }
}
