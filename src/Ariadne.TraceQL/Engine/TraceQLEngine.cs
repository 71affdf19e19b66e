using Ariadne.Model;
using Ariadne.TraceQL.Ast;
using Ariadne.TraceQL.Evaluation;
using Ariadne.TraceQL.Fetch;
using Ariadne.TraceQL.Syntax;

namespace Ariadne.TraceQL.Engine;

/// <summary>
/// Parse → plan → fetch → evaluate. The conditions of the query go down to the fetcher; every fetched
/// trace is evaluated exactly; the search stops once <c>limit</c> traces matched, and returns them
/// newest first. Cancellable; stopped with <see cref="TraceQLTimeoutException"/> after <see cref="Timeout"/>.
/// </summary>
internal sealed class TraceQLEngine
{
    public const int DefaultLimit = 20;
    public const int DefaultSpansPerSpanSet = 3;
    public const string RootNotYetReceived = "<root span not yet received>";

    public int MaxLimit { get; init; } = 1000;

    /// <summary>The most spans returned per matching spanset, whatever <c>spss</c> asks for (Tempo's <c>max_spans_per_span_set</c>).</summary>
    public int MaxSpansPerSpanSet { get; init; } = 100;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Parses and type-checks without running; throws <see cref="TraceQLException"/>.</summary>
    public static Pipeline Parse(string query) => Parser.Parse(query);

    public async Task<SearchResponse> SearchAsync(string query, SearchRequest request, ISpansetFetcher fetcher, CancellationToken cancellationToken)
    {
        var pipeline = Parser.Parse(query);
        var (conditions, all) = ConditionExtractor.Extract(pipeline);
        var limit = Math.Min(request.Limit <= 0 ? DefaultLimit : request.Limit, MaxLimit);
        var spss = Math.Min(request.SpansPerSpanSet <= 0 ? DefaultSpansPerSpanSet : request.SpansPerSpanSet, MaxSpansPerSpanSet);
        var returned = ReturnedFields(pipeline);
        var evaluator = new Evaluator();
        var metrics = new SearchMetrics();
        var found = new List<TraceSummary>();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(Timeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        try
        {
            var fetch = new FetchSpansRequest
            {
                StartUnixNanos = request.StartUnixNanos,
                EndUnixNanos = request.EndUnixNanos,
                Conditions = conditions,
                AllConditions = all,
                Deadline = deadline,
            };
            await foreach (var batch in fetcher.FetchAsync(fetch, timeout.Token).WithCancellation(timeout.Token))
            {
                foreach (var rows in GroupByTrace(batch))
                {
                    timeout.Token.ThrowIfCancellationRequested();
                    if (System.Diagnostics.Stopwatch.GetTimestamp() > deadline)
                    {
                        throw new OperationCanceledException();
                    }

                    var trace = new TraceView(batch, rows);
                    metrics.InspectedTraces++;
                    metrics.InspectedSpans += rows.Length;
                    if (!InRange(trace, request))
                    {
                        continue;
                    }

                    var spansets = evaluator.Evaluate(pipeline, trace);
                    if (spansets.Count > 0)
                    {
                        var summary = Summarize(trace, spansets, spss, returned, evaluator);
                        found.Add(request.IncludeTraces ? summary with { Trace = Copy(batch, rows) } : summary);
                    }
                }

                if (found.Count >= limit)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TraceQLTimeoutException(Timeout);
        }

        found.Sort(static (a, b) => b.StartTimeUnixNano.CompareTo(a.StartTimeUnixNano));
        if (found.Count > limit)
        {
            found.RemoveRange(limit, found.Count - limit);
        }

        return new SearchResponse(found, metrics);
    }

    private static bool InRange(TraceView trace, SearchRequest request)
    {
        var overlaps = (request.EndUnixNanos == 0 || trace.StartUnixNano <= request.EndUnixNanos)
            && (request.StartUnixNanos == 0 || trace.EndUnixNano >= request.StartUnixNanos);
        return overlaps
            && (request.MinTraceDurationNanos is not { } min || trace.DurationNanos >= min)
            && (request.MaxTraceDurationNanos is not { } max || trace.DurationNanos <= max);
    }

    private static SpanBatch Copy(SpanBatch batch, int[] rows)
    {
        var trace = new SpanBatch();
        var copier = new SpanCopier(trace);
        foreach (var row in rows)
        {
            copier.CopySpan(batch, row);
        }

        return trace;
    }

    /// <summary>Rows of each trace in the batch, in batch order.</summary>
    internal static List<int[]> GroupByTrace(SpanBatch batch)
    {
        var byTrace = new Dictionary<TraceId, List<int>>();
        var order = new List<TraceId>();
        for (var i = 0; i < batch.SpanCount; i++)
        {
            var id = batch.Spans[i].TraceId;
            if (!byTrace.TryGetValue(id, out var rows))
            {
                byTrace[id] = rows = [];
                order.Add(id);
            }

            rows.Add(i);
        }

        var traces = new List<int[]>(order.Count);
        foreach (var id in order)
        {
            traces.Add([.. byTrace[id]]);
        }

        return traces;
    }

    /// <summary>The fields returned with each span: attributes the query tests, then select()'s fields.</summary>
    private static List<(string Name, FieldExpression Field)> ReturnedFields(Pipeline pipeline)
    {
        var fields = new List<FieldRef>();
        Collect(pipeline, fields);
        var returned = new List<(string, FieldExpression)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            var name = field.IsAttribute ? field.Name! : Names.Of(field.Intrinsic);
            if (names.Add(name))
            {
                returned.Add((name, new AttributeExpression(field)));
            }
        }

        return returned;
    }

    private static void Collect(PipelineElement element, List<FieldRef> fields)
    {
        switch (element)
        {
            case Pipeline pipeline:
                foreach (var e in pipeline.Elements)
                {
                    Collect(e, fields);
                }

                break;
            case SpansetFilter { Expression: { } expression }:
                Collect(expression, fields);
                break;
            case SpansetOperation operation:
                Collect(operation.Left, fields);
                Collect(operation.Right, fields);
                break;
            case Select select:
                fields.AddRange(select.Fields);
                break;
        }
    }

    private static void Collect(FieldExpression expression, List<FieldRef> fields)
    {
        switch (expression)
        {
            case AttributeExpression { Field.IsAttribute: true } a:
                fields.Add(a.Field);
                break;
            case BinaryExpression b:
                Collect(b.Left, fields);
                Collect(b.Right, fields);
                break;
            case UnaryExpression u:
                Collect(u.Operand, fields);
                break;
        }
    }

    private static TraceSummary Summarize(TraceView trace, List<Spanset> spansets, int spss, List<(string Name, FieldExpression Field)> returned, Evaluator evaluator)
    {
        var summaries = new List<SpansetSummary>(spansets.Count);
        foreach (var spanset in spansets)
        {
            var ordered = new List<int>(spanset.Spans);
            ordered.Sort((a, b) => trace.Span(a).StartTimeUnixNano.CompareTo(trace.Span(b).StartTimeUnixNano));
            var spans = new List<SpanSummary>(Math.Min(spss, ordered.Count));
            foreach (var position in ordered)
            {
                if (spans.Count == spss)
                {
                    break;
                }

                ref readonly var span = ref trace.Span(position);
                var attributes = new List<(string, StaticValue)>();
                foreach (var (name, field) in returned)
                {
                    var value = evaluator.Evaluate(field, trace, position).First;
                    if (value.Kind != StaticKind.Nil)
                    {
                        attributes.Add((name, value));
                    }
                }

                spans.Add(new SpanSummary(span.SpanId, trace.Batch.GetString(span.Name), span.StartTimeUnixNano, span.DurationNanos, attributes));
            }

            summaries.Add(new SpansetSummary(spans, spanset.Spans.Count, spanset.Groups));
        }

        var stats = new Dictionary<string, (int Spans, int Errors)>(StringComparer.Ordinal);
        for (var i = 0; i < trace.Count; i++)
        {
            ref readonly var span = ref trace.Span(i);
            var service = trace.Batch.GetString(trace.Batch.ServiceNameOf(span));
            var (spans, errors) = stats.GetValueOrDefault(service);
            stats[service] = (spans + 1, errors + (span.StatusCode == StatusCode.Error ? 1 : 0));
        }

        var serviceStats = new Dictionary<string, ServiceStats>(StringComparer.Ordinal);
        foreach (var (service, (spans, errors)) in stats)
        {
            serviceStats[service] = new ServiceStats(spans, errors);
        }

        var hasRoot = trace.Span(trace.Root).ParentSpanId.Value == 0;
        return new TraceSummary(
            trace.TraceId,
            hasRoot ? trace.RootServiceName : RootNotYetReceived,
            hasRoot ? trace.RootName : string.Empty,
            trace.StartUnixNano,
            trace.DurationNanos / 1_000_000,
            summaries,
            serviceStats);
    }
}
