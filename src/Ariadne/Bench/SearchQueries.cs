namespace Ariadne.Cli.Bench;

/// <summary>
/// The searches both stores answer: each TraceQL query of the storage-at-scale measurements with the
/// SQL that asks ClickHouse the same question of the span table (see docs/performance.md).
/// </summary>
internal static class SearchQueries
{
    public static readonly SearchQuery[] All =
    [
        new("service and error", "{ resource.service.name = \"payments\" && status = error }", 20,
            "SELECT DISTINCT trace_id FROM spans WHERE service_name = 'payments' AND status_code = 'Error' LIMIT 20", 21),

        // Descendant in TraceQL; in this profile every child's parent is its trace's root, so a parent join is the same question.
        new("structural", "{ resource.service.name = \"gateway\" } >> { status = error }", 20,
            "SELECT DISTINCT trace_id FROM (SELECT trace_id, id AS span FROM spans WHERE service_name = 'gateway') ALL INNER JOIN (SELECT trace_id, parent_span_id AS span FROM spans WHERE status_code = 'Error') USING (trace_id, span) LIMIT 20", 11),
        new("attribute >= 500", "{ span.http.response.status_code >= 500 }", 1000,
            "SELECT DISTINCT trace_id FROM spans WHERE int_attributes.value[indexOf(int_attributes.key, 'http.response.status_code')] >= 500 LIMIT 1000", 5),

        // No span matches: every span is tested.
        new("attribute >= 600 (no match)", "{ span.http.response.status_code >= 600 }", 20,
            "SELECT DISTINCT trace_id FROM spans WHERE int_attributes.value[indexOf(int_attributes.key, 'http.response.status_code')] >= 600 LIMIT 20", 5),
    ];
}

/// <summary>One search, as TraceQL for Ariadne and as SQL for ClickHouse.</summary>
internal sealed record SearchQuery(string Name, string TraceQL, int Limit, string Sql, int Runs);
