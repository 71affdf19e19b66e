using System.Globalization;
using System.Text;

namespace Ariadne.Analysis.Metrics;

/// <summary>
/// Writes series in the Prometheus text format, or in OpenMetrics (the same lines, plus exemplars after
/// <c> # </c>) when the scraper asked for it. Families are named as the rest of /metrics names them
/// (counters with their <c>_total</c>); the endpoint adapts the names when it answers in OpenMetrics.
/// </summary>
internal static class PrometheusText
{
    public static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    /// <summary>A label value with backslash, double quote and line feed escaped.</summary>
    public static StringBuilder AppendLabelValue(this StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => text.Append("\\\\"),
                '"' => text.Append("\\\""),
                '\n' => text.Append("\\n"),
                _ => text.Append(c),
            };
        }

        return text;
    }

    public static StringBuilder AppendLabel(this StringBuilder text, string name, string value) =>
        text.Append(name).Append("=\"").AppendLabelValue(value).Append('"');

    public static StringBuilder AppendValue(this StringBuilder text, double value) =>
        double.IsPositiveInfinity(value) ? text.Append("+Inf") : text.Append(value.ToString(CultureInfo.InvariantCulture));

    public static StringBuilder AppendValue(this StringBuilder text, long value) => text.Append(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Ends a sample line, with the exemplar when OpenMetrics is being written and there is one.</summary>
    public static void EndSample(this StringBuilder text, in Exemplar exemplar, double exemplarValue, bool openMetrics)
    {
        if (openMetrics && exemplar.IsSet)
        {
            Span<char> traceId = stackalloc char[32];
            Span<char> spanId = stackalloc char[16];
            exemplar.TraceId.TryFormat(traceId, out _);
            exemplar.SpanId.TryFormat(spanId, out _);
            text.Append(" # {trace_id=\"").Append(traceId).Append("\",span_id=\"").Append(spanId).Append("\"} ")
                .AppendValue(exemplarValue).Append(' ')
                .Append((exemplar.TimeUnixNano / 1e9).ToString("0.000", CultureInfo.InvariantCulture));
        }

        text.Append('\n');
    }

    /// <summary>An attribute name as a Prometheus label name (<c>http.route</c> → <c>http_route</c>), as the Collector's exporter does.</summary>
    public static string LabelName(string attribute)
    {
        var name = new StringBuilder(attribute.Length + 4);
        foreach (var c in attribute)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            name.Insert(0, "key_");
        }

        return name.ToString();
    }

    /// <summary>Bucket lines (cumulative), then sum and count, for one histogram series.</summary>
    public static void Histogram(StringBuilder text, string name, string labels, Histogram histogram, bool openMetrics)
    {
        var cumulative = 0L;
        var bounds = histogram.Layout.BoundsSeconds;
        for (var i = 0; i < histogram.Counts.Length; i++)
        {
            cumulative += histogram.Counts[i];
            text.Append(name).Append("_bucket{").Append(labels).Append(labels.Length == 0 ? string.Empty : ",").Append("le=\"")
                .AppendValue(i < bounds.Length ? bounds[i] : double.PositiveInfinity).Append("\"} ").AppendValue(cumulative);
            var exemplar = histogram.Exemplars is { } exemplars ? exemplars[i] : default;
            text.EndSample(exemplar, exemplar.Value, openMetrics);
        }

        text.Append(name).Append("_sum");
        Braced(text, labels).Append(' ').AppendValue(histogram.SumSeconds).Append('\n');
        text.Append(name).Append("_count");
        Braced(text, labels).Append(' ').AppendValue(histogram.Count).Append('\n');
    }

    public static StringBuilder Braced(StringBuilder text, string labels) =>
        labels.Length == 0 ? text : text.Append('{').Append(labels).Append('}');
}
