using System.Text;

namespace Ariadne.Web.Search;

/// <summary>Builds TraceQL text from what the UI's forms hold.</summary>
internal static class TraceQLText
{
    /// <summary>A TraceQL string literal: quotes and backslashes escaped.</summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        return text.Append('"').ToString();
    }

    /// <summary>
    /// The query the search form means: one spanset whose conditions must hold on the same span, as
    /// Jaeger's search form does. Attribute names without a scope match span or resource attributes.
    /// </summary>
    public static string FromForm(string? service, string? operation, IReadOnlyList<(string Key, string Value)> attributes)
    {
        var conditions = new List<string>();
        if (!string.IsNullOrEmpty(service))
        {
            conditions.Add("resource.service.name = " + Quote(service));
        }

        if (!string.IsNullOrEmpty(operation))
        {
            conditions.Add("name = " + Quote(operation));
        }

        foreach (var (key, value) in attributes)
        {
            var name = key.StartsWith("span.", StringComparison.Ordinal) || key.StartsWith("resource.", StringComparison.Ordinal) || key.StartsWith('.')
                ? key
                : "." + key;
            conditions.Add(key is "status" or "kind" ? key + " = " + value : name + " = " + Quote(value));
        }

        return conditions.Count == 0 ? "{ }" : "{ " + string.Join(" && ", conditions) + " }";
    }

    /// <summary>Traces with a call from <paramref name="client"/> to <paramref name="server"/>, as the service map draws it.</summary>
    public static string ForEdge(string client, string server, string connectionType)
    {
        if (connectionType.Length == 0)
        {
            return "{ resource.service.name = " + Quote(client) + " && kind = client } > { resource.service.name = " + Quote(server) + " && kind = server }";
        }

        var peer = Quote(server);
        return "{ resource.service.name = " + Quote(client) + " && (span.peer.service = " + peer + " || span.db.namespace = " + peer +
            " || span.db.name = " + peer + " || span.db.system = " + peer + " || span.server.address = " + peer +
            " || span.net.peer.name = " + peer + " || span.messaging.destination.name = " + peer + ") }";
    }
}
