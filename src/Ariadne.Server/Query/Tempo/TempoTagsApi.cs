using System.Globalization;
using System.Text;
using System.Text.Json;
using Ariadne.Model;
using Ariadne.Server.Ingest;
using Ariadne.Storage;
using Ariadne.Storage.Search;
using Ariadne.TraceQL.Ast;
using AttributeScope = Ariadne.Storage.Search.AttributeScope;
using Ariadne.TraceQL.Engine;
using Ariadne.TraceQL.Syntax;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Query.Tempo;

/// <summary>
/// Tempo's tag autocomplete: tag names by scope and the values of one tag, which Grafana's TraceQL
/// editor and search form call as the user types.
/// </summary>
internal sealed class TempoTagsApi
{
    /// <summary>Values returned at most, and block pages read at most, for one values request.</summary>
    public const int MaxValues = 1000;
    public const int MaxPagesPerRequest = 64;

    /// <summary>The intrinsics a TraceQL query can name, as Tempo lists them in the "intrinsic" scope.</summary>
    public static readonly string[] Intrinsics =
    [
        "duration", "event:name", "kind", "link:traceID", "name", "rootName", "rootServiceName", "span:duration", "span:id",
        "span:kind", "span:name", "span:status", "span:statusMessage", "status", "statusMessage", "trace:duration", "trace:id",
        "trace:rootName", "trace:rootService", "traceDuration",
    ];

    private static readonly string[] StatusValues = ["error", "ok", "unset"];
    private static readonly string[] KindValues = ["client", "consumer", "internal", "producer", "server", "unspecified"];

    /// <summary>Traces a narrowing query (<c>q</c>) reads at most for one values request.</summary>
    public const int MaxNarrowingTraces = 200;

    private readonly Tenancy.TenantStores _stores;
    private readonly TraceSearch _search;

    public TempoTagsApi(Tenancy.TenantStores stores, TraceSearch search)
    {
        _stores = stores;
        _search = search;
    }

    /// <summary><c>GET /api/search/tags[?scope=span|resource|intrinsic|all][&amp;start=&amp;end=]</c> → <c>{"tagNames":[…]}</c>.</summary>
    public Task GetTagNamesAsync(HttpContext context) => WithStoreAsync(context, store =>
    {
        if (!TryReadRange(context, out var start, out var end, out var scope, out var error))
        {
            return BadRequestAsync(context, error);
        }

        var (span, resource) = store.TagNames(start, end);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (scope is "" or "all" or "span")
        {
            names.UnionWith(span);
        }

        if (scope is "" or "all" or "resource")
        {
            names.UnionWith(resource);
        }

        if (scope is "all" or "intrinsic")
        {
            names.UnionWith(Intrinsics);
        }

        return HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            WriteStrings(w, "tagNames", names);
            w.WriteEndObject();
        });
    });

    /// <summary><c>GET /api/v2/search/tags[?scope=…]</c> → <c>{"scopes":[{"name":"span","tags":[…]},…]}</c>.</summary>
    public Task GetTagNamesV2Async(HttpContext context) => WithStoreAsync(context, store =>
    {
        if (!TryReadRange(context, out var start, out var end, out var scope, out var error))
        {
            return BadRequestAsync(context, error);
        }

        var (span, resource) = store.TagNames(start, end);
        return HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("scopes");
            WriteScope(w, scope, "span", span);
            WriteScope(w, scope, "resource", resource);
            WriteScope(w, scope, "intrinsic", Intrinsics);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    });

    /// <summary><c>GET /api/search/tag/{name}/values</c>: the values of an unscoped tag (span or resource) → <c>{"tagValues":[…]}</c>.</summary>
    public Task GetTagValuesAsync(HttpContext context, string name) => WithStoreAsync(context, async store =>
    {
        if (!TryReadRange(context, out var start, out var end, out _, out var error))
        {
            await BadRequestAsync(context, error);
            return;
        }

        var tag = name.StartsWith('.') ? name : "." + name;
        var values = await NarrowedValuesAsync(context, tag, start, end) ?? Values(store, tag, start, end, context.RequestAborted) ?? [];
        await HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("tagValues");
            foreach (var value in values)
            {
                w.WriteStringValue(value.Value);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    });

    /// <summary>
    /// <c>GET /api/v2/search/tag/{scope.name}/values</c> (<c>resource.service.name</c>, <c>span.http.route</c>,
    /// <c>.x</c>, or an intrinsic such as <c>status</c>) → <c>{"tagValues":[{"type":"string","value":"…"}],"metrics":{…}}</c>.
    /// </summary>
    public Task GetTagValuesV2Async(HttpContext context, string name) => WithStoreAsync(context, async store =>
    {
        if (!TryReadRange(context, out var start, out var end, out _, out var error))
        {
            await BadRequestAsync(context, error);
            return;
        }

        var values = Values(store, name, start, end, context.RequestAborted);
        if (values is null)
        {
            await BadRequestAsync(context, $"unknown tag '{name}': expected an intrinsic, or a scoped attribute such as span.http.route, resource.service.name or .http.route");
            return;
        }

        values = await NarrowedValuesAsync(context, name, start, end) ?? values;
        await HttpResponses.WriteJsonAsync(context, StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("tagValues");
            foreach (var value in values)
            {
                w.WriteStartObject();
                w.WriteString("type", value.Type);
                w.WriteString("value", value.Value);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("metrics");
            w.WriteString("inspectedBytes", "0");
            w.WriteEndObject();
            w.WriteEndObject();
        });
    });

    /// <summary>
    /// With <c>q</c> (a TraceQL query, as Grafana sends the query typed so far), the tag's values on the
    /// spans that query selects, from at most <see cref="MaxNarrowingTraces"/> traces. Null when there is
    /// no <c>q</c>, it does not parse yet, or the search times out: the caller answers unnarrowed.
    /// </summary>
    private async Task<SortedSet<TagValue>?> NarrowedValuesAsync(HttpContext context, string tag, ulong start, ulong end)
    {
        var q = context.Request.Query["q"].ToString().Trim();
        if (q.Length == 0 || q.Replace(" ", string.Empty, StringComparison.Ordinal) == "{}")
        {
            return null;
        }

        var query = q + " | select(" + tag + ")";
        FieldRef field;
        try
        {
            field = ((Select)TraceQLEngine.Parse(query).Elements[^1]).Fields[0];
        }
        catch (TraceQLException)
        {
            return null;
        }

        var key = field.IsAttribute ? field.Name! : Names.Of(field.Intrinsic);
        var request = new SearchRequest { StartUnixNanos = start, EndUnixNanos = end, Limit = MaxNarrowingTraces, SpansPerSpanSet = MaxValues };
        SearchResponse response;
        try
        {
            (response, _) = await _search.SearchAsync(Tenancy.RequestTenant.From(context), query, request, context.RequestAborted);
        }
        catch (Exception e) when (e is TraceQLTimeoutException or QueryLimitException)
        {
            return null;
        }

        var values = new SortedSet<TagValue>();
        foreach (var trace in response.Traces)
        {
            foreach (var spanset in trace.SpanSets)
            {
                foreach (var span in spanset.Spans)
                {
                    foreach (var (name, value) in span.Attributes)
                    {
                        if (name == key && values.Count < MaxValues)
                        {
                            values.Add(ToTagValue(value));
                        }
                    }
                }
            }
        }

        return values;
    }

    private static TagValue ToTagValue(StaticValue value)
    {
        if (value.Kind == StaticKind.String)
        {
            return new TagValue("string", value.Text!);
        }

        var text = new StringBuilder();
        Printer.Write(text, value);
        var type = value.Kind switch
        {
            StaticKind.Int => "int",
            StaticKind.Float => "float",
            StaticKind.Bool => "bool",
            StaticKind.Duration => "duration",
            _ => "keyword",
        };
        return new TagValue(type, text.ToString());
    }

    /// <summary>The values of a tag named as TraceQL names it; null when the name is not a tag.</summary>
    internal static SortedSet<TagValue>? Values(SpanStore store, string name, ulong start, ulong end, CancellationToken cancellationToken)
    {
        var values = new SortedSet<TagValue>();
        switch (name)
        {
            case "status" or "span:status":
                AddKeywords(values, StatusValues);
                return values;
            case "kind" or "span:kind":
                AddKeywords(values, KindValues);
                return values;
            case "name" or "span:name" or "rootName" or "trace:rootName":
                foreach (var operation in store.Operations())
                {
                    values.Add(new TagValue("string", operation.Name));
                }

                return values;
            case "rootServiceName" or "trace:rootService":
                foreach (var operation in store.Operations())
                {
                    values.Add(new TagValue("string", operation.Service));
                }

                return values;
        }

        AttributeScope scope;
        string key;
        if (name.StartsWith("span.", StringComparison.Ordinal))
        {
            (scope, key) = (AttributeScope.Span, name["span.".Length..]);
        }
        else if (name.StartsWith("resource.", StringComparison.Ordinal))
        {
            (scope, key) = (AttributeScope.Resource, name["resource.".Length..]);
        }
        else if (name.StartsWith('.'))
        {
            (scope, key) = (AttributeScope.Any, name[1..]);
        }
        else
        {
            return null;
        }

        if (key.Length == 0)
        {
            return null;
        }

        store.TagValues(scope, key, start, end, MaxValues, MaxPagesPerRequest, values, cancellationToken);
        return values;
    }

    private static void AddKeywords(SortedSet<TagValue> values, string[] keywords)
    {
        foreach (var keyword in keywords)
        {
            values.Add(new TagValue("keyword", keyword));
        }
    }

    private static void WriteScope(Utf8JsonWriter writer, string wanted, string name, IEnumerable<string> tags)
    {
        if (wanted is not ("" or "all") && wanted != name)
        {
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("name", name);
        WriteStrings(writer, "tags", tags);
        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string property, IEnumerable<string> values)
    {
        writer.WriteStartArray(property);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    /// <summary>Tempo's optional <c>start</c>/<c>end</c> (Unix seconds) and <c>scope</c>.</summary>
    private static bool TryReadRange(HttpContext context, out ulong start, out ulong end, out string scope, out string error)
    {
        var query = context.Request.Query;
        start = end = 0;
        scope = query["scope"].ToString();
        error = string.Empty;
        if (scope is not ("" or "all" or "span" or "resource" or "intrinsic"))
        {
            error = $"unknown scope '{scope}': expected span, resource, intrinsic or all";
            return false;
        }

        return TrySeconds(query["start"].ToString(), "start", out start, ref error) && TrySeconds(query["end"].ToString(), "end", out end, ref error);
    }

    public static bool TrySeconds(string text, string name, out ulong nanos, ref string error)
    {
        nanos = 0;
        if (text.Length == 0)
        {
            return true;
        }

        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > ulong.MaxValue / 1_000_000_000)
        {
            error = $"'{name}' must be Unix seconds, got '{text}'";
            return false;
        }

        nanos = seconds * 1_000_000_000;
        return true;
    }

    private static Task BadRequestAsync(HttpContext context, string message) =>
        HttpResponses.WriteTextAsync(context, StatusCodes.Status400BadRequest, message);

    private Task WithStoreAsync(HttpContext context, Func<SpanStore, Task> respond)
    {
        if (_stores.For(Tenancy.RequestTenant.From(context)).Store is not { } store)
        {
            return HttpResponses.WriteStorageStartingAsync(context);
        }

        return respond(store);
    }
}
