using Ariadne.Model;

namespace Ariadne.Protocols.Otlp.Protobuf;

/// <summary>The grouping of a batch into ResourceSpans/ScopeSpans plus every message size, computed once.</summary>
internal sealed class BatchLayout : IDisposable
{
    private BatchLayout(SpanGrouping grouping, int[] spanSize, int[] scopeSpansSize, int[] resourceSpansSize)
    {
        Grouping = grouping;
        SpanSize = spanSize;
        ScopeSpansSize = scopeSpansSize;
        ResourceSpansSize = resourceSpansSize;
    }

    public SpanGrouping Grouping { get; }

    public int ResourceCount => Grouping.Resources.Length;

    public int[] Resources => Grouping.Resources;

    public int[] ScopeStart => Grouping.ScopeStart;

    public int[] Scopes => Grouping.Scopes;

    public int[] SpanStart => Grouping.SpanStart;

    public int[] Spans => Grouping.Spans;

    /// <summary>Encoded size of each span, by span row index.</summary>
    public int[] SpanSize { get; }

    /// <summary>Encoded size of each output ScopeSpans, by output position.</summary>
    public int[] ScopeSpansSize { get; }

    /// <summary>Encoded size of each output ResourceSpans, by output position.</summary>
    public int[] ResourceSpansSize { get; }

    public static BatchLayout Create(SpanBatch batch)
    {
        var grouping = SpanGrouping.Create(batch);
        var spanSize = new int[batch.SpanCount];
        for (var i = 0; i < spanSize.Length; i++)
        {
            spanSize[i] = OtlpProtobufEncoder.SpanSize(batch, batch.Spans[i]);
        }

        var scopeSpansSize = new int[grouping.Scopes.Length];
        for (var s = 0; s < scopeSpansSize.Length; s++)
        {
            long spans = 0;
            for (var i = grouping.SpanStart[s]; i < grouping.SpanStart[s + 1]; i++)
            {
                spans += ProtoSize.LengthDelimited(ScopeSpansFields.Spans, spanSize[grouping.Spans[i]]);
            }

            scopeSpansSize[s] = OtlpProtobufEncoder.ScopeSpansSize(batch, batch.Scopes[grouping.Scopes[s]], checked((int)spans));
        }

        var resourceSpansSize = new int[grouping.Resources.Length];
        for (var r = 0; r < resourceSpansSize.Length; r++)
        {
            long scopes = 0;
            for (var s = grouping.ScopeStart[r]; s < grouping.ScopeStart[r + 1]; s++)
            {
                scopes += ProtoSize.LengthDelimited(ResourceSpansFields.ScopeSpans, scopeSpansSize[s]);
            }

            resourceSpansSize[r] = OtlpProtobufEncoder.ResourceSpansSize(batch, batch.Resources[grouping.Resources[r]], checked((int)scopes));
        }

        return new BatchLayout(grouping, spanSize, scopeSpansSize, resourceSpansSize);
    }

    public void Dispose()
    {
    }
}
