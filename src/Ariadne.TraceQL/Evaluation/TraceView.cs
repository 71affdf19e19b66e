using Ariadne.Model;

namespace Ariadne.TraceQL.Evaluation;

/// <summary>
/// One trace as the evaluator sees it: its spans (rows of a batch), each span's parent within the
/// trace, and the trace-level values (root, start, duration) that intrinsics such as
/// <c>traceDuration</c> and <c>rootServiceName</c> read.
/// </summary>
internal sealed class TraceView
{
    private List<int>[]? _children;
    private string? _rootName;
    private string? _rootService;

    public TraceView(SpanBatch batch, int[] rows)
    {
        Batch = batch;
        Rows = rows;
        var index = new Dictionary<SpanId, int>(rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            index.TryAdd(batch.Spans[rows[i]].SpanId, i);
        }

        Parents = new int[rows.Length];
        Root = -1;
        ulong start = ulong.MaxValue, end = 0;
        for (var i = 0; i < rows.Length; i++)
        {
            ref readonly var span = ref batch.Spans[rows[i]];
            Parents[i] = span.ParentSpanId.Value != 0 && index.TryGetValue(span.ParentSpanId, out var parent) && parent != i ? parent : -1;
            start = Math.Min(start, span.StartTimeUnixNano);
            end = Math.Max(end, span.EndTimeUnixNano);
            if (span.ParentSpanId.Value == 0 && (Root < 0 || span.StartTimeUnixNano < batch.Spans[rows[Root]].StartTimeUnixNano))
            {
                Root = i;
            }
        }

        if (Root < 0)
        {
            // No span without a parent arrived (yet): the earliest stands in for the root, as Tempo does.
            for (var i = 0; i < rows.Length; i++)
            {
                if (Root < 0 || batch.Spans[rows[i]].StartTimeUnixNano < batch.Spans[rows[Root]].StartTimeUnixNano)
                {
                    Root = i;
                }
            }
        }

        StartUnixNano = rows.Length == 0 ? 0 : start;
        EndUnixNano = end;
    }

    public SpanBatch Batch { get; }

    /// <summary>Batch rows of the trace's spans; the evaluator refers to spans by position in this array.</summary>
    public int[] Rows { get; }

    /// <summary>Per span, the position of its parent, or -1.</summary>
    public int[] Parents { get; }

    /// <summary>The root span's position (the earliest span without a parent; else the earliest span).</summary>
    public int Root { get; }

    public ulong StartUnixNano { get; }

    public ulong EndUnixNano { get; }

    public int Count => Rows.Length;

    public TraceId TraceId => Batch.Spans[Rows[0]].TraceId;

    public long DurationNanos => (long)(EndUnixNano - StartUnixNano);

    public string RootName => _rootName ??= Batch.GetString(Span(Root).Name);

    public string RootServiceName => _rootService ??= Batch.GetString(Batch.ServiceNameOf(Span(Root)));

    public ref SpanRow Span(int position) => ref Batch.Spans[Rows[position]];

    public List<int> Children(int position)
    {
        if (_children is null)
        {
            _children = new List<int>[Rows.Length];
            for (var i = 0; i < Rows.Length; i++)
            {
                _children[i] = [];
            }

            for (var i = 0; i < Rows.Length; i++)
            {
                if (Parents[i] >= 0)
                {
                    _children[Parents[i]].Add(i);
                }
            }
        }

        return _children[position];
    }
}
