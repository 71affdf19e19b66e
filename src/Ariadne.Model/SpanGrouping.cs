namespace Ariadne.Model;

/// <summary>
/// The spans of a batch grouped by resource, then scope, as OTLP's ResourceSpans/ScopeSpans nest
/// them: resources and scopes in order of their first span, spans in batch order. Resources and
/// scopes without spans are left out.
/// </summary>
internal sealed class SpanGrouping
{
    private SpanGrouping(int[] resources, int[] scopeStart, int[] scopes, int[] spanStart, int[] spans)
    {
        Resources = resources;
        ScopeStart = scopeStart;
        Scopes = scopes;
        SpanStart = spanStart;
        Spans = spans;
    }

    /// <summary>Resource row indices, one per output ResourceSpans.</summary>
    public int[] Resources { get; }

    /// <summary>For output resource r, its scopes are <c>Scopes[ScopeStart[r]..ScopeStart[r + 1]]</c>.</summary>
    public int[] ScopeStart { get; }

    /// <summary>Scope row indices, grouped by resource.</summary>
    public int[] Scopes { get; }

    /// <summary>For output scope s, its spans are <c>Spans[SpanStart[s]..SpanStart[s + 1]]</c>.</summary>
    public int[] SpanStart { get; }

    /// <summary>Span row indices, grouped by scope.</summary>
    public int[] Spans { get; }

    public static SpanGrouping Create(SpanBatch batch)
    {
        var spans = batch.Spans.Rows;
        var scopeRows = batch.Scopes.Rows;

        // Spans per scope, and the order in which scopes and resources first appear.
        var spansPerScope = new int[scopeRows.Length];
        var scopeOrder = new List<int>();
        var resourceOrder = new List<int>();
        var resourceSeen = new bool[batch.Resources.Count];
        foreach (ref readonly var span in spans)
        {
            if (spansPerScope[span.ScopeIndex]++ == 0)
            {
                scopeOrder.Add(span.ScopeIndex);
                var resource = scopeRows[span.ScopeIndex].ResourceIndex;
                if (!resourceSeen[resource])
                {
                    resourceSeen[resource] = true;
                    resourceOrder.Add(resource);
                }
            }
        }

        // Scopes grouped by resource, keeping first-appearance order within each resource.
        var resourcePosition = new int[batch.Resources.Count];
        for (var i = 0; i < resourceOrder.Count; i++)
        {
            resourcePosition[resourceOrder[i]] = i;
        }

        var scopeStart = new int[resourceOrder.Count + 1];
        foreach (var scope in scopeOrder)
        {
            scopeStart[resourcePosition[scopeRows[scope].ResourceIndex] + 1]++;
        }

        for (var i = 0; i < resourceOrder.Count; i++)
        {
            scopeStart[i + 1] += scopeStart[i];
        }

        var scopes = new int[scopeOrder.Count];
        var scopeFill = (int[])scopeStart.Clone();
        foreach (var scope in scopeOrder)
        {
            scopes[scopeFill[resourcePosition[scopeRows[scope].ResourceIndex]]++] = scope;
        }

        // Spans grouped by scope in the order just established.
        var scopePosition = new int[scopeRows.Length];
        var spanStart = new int[scopes.Length + 1];
        for (var i = 0; i < scopes.Length; i++)
        {
            scopePosition[scopes[i]] = i;
            spanStart[i + 1] = spanStart[i] + spansPerScope[scopes[i]];
        }

        var spanOrder = new int[spans.Length];
        var spanFill = (int[])spanStart.Clone();
        for (var i = 0; i < spans.Length; i++)
        {
            spanOrder[spanFill[scopePosition[spans[i].ScopeIndex]]++] = i;
        }

        return new SpanGrouping(resourceOrder.ToArray(), scopeStart, scopes, spanStart, spanOrder);
    }
}
