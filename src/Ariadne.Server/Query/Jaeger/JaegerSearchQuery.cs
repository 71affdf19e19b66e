using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Ariadne.Server.Configuration;
using Ariadne.Storage.Search;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Query.Jaeger;

/// <summary>The parameters of Jaeger's <c>GET /api/traces</c> search, checked and turned into a storage scan.</summary>
internal sealed class JaegerSearchQuery
{
    private JaegerSearchQuery(SpanScanRequest request, int limit)
    {
        Request = request;
        Limit = limit;
    }

    public SpanScanRequest Request { get; }

    public int Limit { get; }

    public static bool TryParse(IQueryCollection query, [NotNullWhen(true)] out JaegerSearchQuery? search, out string error)
    {
        search = null;
        var predicates = new List<SpanPredicate>();
        var service = query["service"].ToString();
        if (service.Length == 0)
        {
            error = "parameter 'service' is required";
            return false;
        }

        predicates.Add(SpanPredicate.String(SpanField.ServiceName, PredicateOperator.Equal, service));
        var operation = query["operation"].ToString();
        if (operation.Length > 0)
        {
            predicates.Add(SpanPredicate.String(SpanField.Name, PredicateOperator.Equal, operation));
        }

        if (!TryAddTags(query, predicates, out error))
        {
            return false;
        }

        if (!TryDuration(query, "minDuration", out var min, out error) || !TryDuration(query, "maxDuration", out var max, out error))
        {
            return false;
        }

        if (min is { } low)
        {
            predicates.Add(SpanPredicate.Int(SpanField.Duration, PredicateOperator.GreaterOrEqual, low));
        }

        if (max is { } high)
        {
            if (min is { } l && l > high)
            {
                error = "'minDuration' must not be greater than 'maxDuration'";
                return false;
            }

            predicates.Add(SpanPredicate.Int(SpanField.Duration, PredicateOperator.LessOrEqual, high));
        }

        if (!TryMicroseconds(query, "start", out var start, out error) || !TryMicroseconds(query, "end", out var end, out error))
        {
            return false;
        }

        if (start > 0 && end > 0 && start > end)
        {
            error = "'start' must not be after 'end'";
            return false;
        }

        var limit = 0;
        var limitText = query["limit"].ToString();
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit)))
        {
            error = $"'limit' must be a non-negative integer, got '{limitText}'";
            return false;
        }

        search = new JaegerSearchQuery(new SpanScanRequest { Predicates = predicates, MatchAll = true, StartUnixNano = start, EndUnixNano = end }, limit);
        error = string.Empty;
        return true;
    }

    /// <summary><c>tags</c> is a JSON object of strings; <c>tag</c> (repeatable) is <c>key:value</c>.</summary>
    private static bool TryAddTags(IQueryCollection query, List<SpanPredicate> predicates, out string error)
    {
        foreach (var json in query["tags"])
        {
            if (string.IsNullOrEmpty(json))
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(json);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    error = "'tags' must be a JSON object such as {\"http.status_code\":\"500\"}";
                    return false;
                }

                foreach (var property in document.RootElement.EnumerateObject())
                {
                    var value = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                    predicates.Add(SpanPredicate.Textual(SpanField.AnyAttribute, PredicateOperator.Equal, value, property.Name));
                }
            }
            catch (JsonException e)
            {
                error = $"'tags' is not valid JSON: {e.Message}";
                return false;
            }
        }

        foreach (var pair in query["tag"])
        {
            var colon = pair?.IndexOf(':', StringComparison.Ordinal) ?? -1;
            if (colon <= 0)
            {
                error = $"'tag' must be key:value, got '{pair}'";
                return false;
            }

            predicates.Add(SpanPredicate.Textual(SpanField.AnyAttribute, PredicateOperator.Equal, pair![(colon + 1)..], pair[..colon]));
        }

        error = string.Empty;
        return true;
    }

    private static bool TryDuration(IQueryCollection query, string name, out long? nanos, out string error)
    {
        nanos = null;
        error = string.Empty;
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (!DurationYamlConverter.TryParse(text, out var duration) || duration < TimeSpan.Zero)
        {
            error = $"'{name}' must be a duration such as 100ms, 1.5s or 2m, got '{text}'";
            return false;
        }

        nanos = duration.Ticks * 100;
        return true;
    }

    private static bool TryMicroseconds(IQueryCollection query, string name, out ulong nanos, out string error)
    {
        nanos = 0;
        error = string.Empty;
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var micros) || micros > ulong.MaxValue / 1000)
        {
            error = $"'{name}' must be microseconds since the Unix epoch, got '{text}'";
            return false;
        }

        nanos = micros * 1000;
        return true;
    }
}
