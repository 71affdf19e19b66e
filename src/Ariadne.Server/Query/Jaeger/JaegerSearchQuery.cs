using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Ariadne.Server.Configuration;
using Ariadne.TraceQL.Ast;
using Ariadne.TraceQL.Engine;
using Ariadne.TraceQL.Syntax;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Query.Jaeger;

/// <summary>
/// The parameters of Jaeger's <c>GET /api/traces</c> search, checked and translated to TraceQL: one span
/// must have the service, the operation, every tag and a duration in range. Jaeger's tags are text, so a
/// tag matches the attribute's value in any type whose text it is (<c>500</c> matches 500 and "500").
/// </summary>
internal sealed class JaegerSearchQuery
{
    private JaegerSearchQuery(string traceQL, SearchRequest request)
    {
        TraceQL = traceQL;
        Request = request;
    }

    public string TraceQL { get; }

    public SearchRequest Request { get; }

    public static bool TryParse(IQueryCollection query, [NotNullWhen(true)] out JaegerSearchQuery? search, out string error)
    {
        search = null;
        var conditions = new List<string>();
        var service = query["service"].ToString();
        if (service.Length == 0)
        {
            error = "parameter 'service' is required";
            return false;
        }

        conditions.Add("resource.service.name = " + Printer.Quote(service));
        var operation = query["operation"].ToString();
        if (operation.Length > 0)
        {
            conditions.Add("name = " + Printer.Quote(operation));
        }

        if (!TryAddTags(query, conditions, out error))
        {
            return false;
        }

        if (!QueryParameters.TryAddSpanDurations(query, "minDuration", "maxDuration", conditions, out error)
            || !QueryParameters.TryMicroseconds(query, "start", out var start, out error)
            || !QueryParameters.TryMicroseconds(query, "end", out var end, out error)
            || !QueryParameters.CheckOrder(start, end, "start", "end", out error)
            || !QueryParameters.TryCount(query, "limit", out var limit, out error))
        {
            return false;
        }

        var request = new SearchRequest { StartUnixNanos = start, EndUnixNanos = end, Limit = limit, SpansPerSpanSet = 1, IncludeTraces = true };
        search = new JaegerSearchQuery("{ " + string.Join(" && ", conditions) + " }", request);
        error = string.Empty;
        return true;
    }

    /// <summary>A TraceQL condition that an attribute (of the span or its resource) has this text as its value, whatever its type.</summary>
    public static string TagCondition(string key, string value)
    {
        var field = Printer.Print(FieldRef.Attribute(AttributeScope.Unscoped, key));
        var alternatives = new List<string> { field + " = " + Printer.Quote(value) };
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            alternatives.Add(field + " = " + integer.ToString(CultureInfo.InvariantCulture));
        }
        else if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
        {
            var sb = new System.Text.StringBuilder();
            Printer.Write(sb, StaticValue.FloatValue(real));
            alternatives.Add(field + " = " + sb);
        }
        else if (bool.TryParse(value, out var flag))
        {
            alternatives.Add(field + " = " + (flag ? "true" : "false"));
        }

        return alternatives.Count == 1 ? alternatives[0] : "(" + string.Join(" || ", alternatives) + ")";
    }

    /// <summary><c>tags</c> is a JSON object of strings; <c>tag</c> (repeatable) is <c>key:value</c>.</summary>
    private static bool TryAddTags(IQueryCollection query, List<string> conditions, out string error)
    {
        foreach (var json in query["tags"])
        {
            if (string.IsNullOrEmpty(json))
            {
                continue;
            }

            if (!TryParseTagsJson(json, conditions, out error))
            {
                error = "'tags' " + error;
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

            conditions.Add(TagCondition(pair![..colon], pair[(colon + 1)..]));
        }

        error = string.Empty;
        return true;
    }

    /// <summary>A JSON object of tag values (strings, or numbers and bools taken as their text) as conditions.</summary>
    public static bool TryParseTagsJson(string json, List<string> conditions, out string error)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = "must be a JSON object such as {\"http.status_code\":\"500\"}";
                return false;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                conditions.Add(TagCondition(property.Name, value));
            }
        }
        catch (JsonException e)
        {
            error = $"is not valid JSON: {e.Message}";
            return false;
        }

        error = string.Empty;
        return true;
    }
}
