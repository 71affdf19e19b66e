using Ariadne.Model;
using Ariadne.TraceQL.Ast;
using Ariadne.TraceQL.Engine;
using Ariadne.TraceQL.Evaluation;
using Ariadne.TraceQL.Fetch;
using Ariadne.TraceQL.Syntax;

namespace Ariadne.TraceQL.Metrics;

/// <summary>
/// Runs TraceQL metrics queries (<c>{ filter } | rate() by (…)</c>). In general every trace the filter's
/// conditions may match is fetched and the filter evaluated exactly, as a search does, and every span
/// of its result spansets is counted. When the filter is a plain conjunction on span name, status,
/// kind, duration or service equality, the value is a duration (or none) and the grouping is by name,
/// status, kind or service,
/// a fetcher that offers spans as columns answers instead, without assembling traces.
/// </summary>
internal sealed class MetricsEngine
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public int MaxSeries { get; init; } = 1000;

    /// <summary>The most step intervals a query may span, as Prometheus allows.</summary>
    public const int DefaultMaxIntervals = 11_000;

    public int MaxIntervals { get; init; } = DefaultMaxIntervals;

    public static MetricsQuery Parse(string query) => Check(Parser.ParseMetrics(query));

    public async Task<MetricsResponse> QueryAsync(string query, MetricsRequest request, ISpansetFetcher fetcher, CancellationToken cancellationToken)
    {
        var metrics = Parse(query);
        var accumulator = new MetricsAccumulator(metrics, request, MaxSeries, MaxIntervals);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(Timeout.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        var (conditions, all) = ConditionExtractor.Extract(metrics.Filter);
        var fetch = new FetchSpansRequest
        {
            StartUnixNanos = accumulator.WindowStart,
            EndUnixNanos = accumulator.WindowEnd,
            Conditions = conditions,
            AllConditions = all,
            Deadline = deadline,
        };

        long spans = 0, traces = 0;
        try
        {
            if (fetcher is ISpanColumnFetcher columns && IsColumnar(metrics))
            {
                spans = await CountColumnsAsync(metrics, accumulator, columns, fetch, deadline, timeout.Token);
            }
            else
            {
                (spans, traces) = await CountTracesAsync(metrics, accumulator, fetcher, fetch, deadline, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TraceQLTimeoutException(Timeout);
        }

        return accumulator.Build(spans, traces);
    }

    private static async Task<(long Spans, long Traces)> CountTracesAsync(MetricsQuery metrics, MetricsAccumulator accumulator, ISpansetFetcher fetcher, FetchSpansRequest fetch, long deadline, CancellationToken cancellationToken)
    {
        var evaluator = new Evaluator();
        var by = new StaticValue[metrics.By.Count];
        var byExpressions = new FieldExpression[metrics.By.Count];
        for (var i = 0; i < by.Length; i++)
        {
            byExpressions[i] = new AttributeExpression(metrics.By[i]);
        }

        var field = metrics.Field is null ? null : new AttributeExpression(metrics.Field);
        var counted = new HashSet<int>();
        long spans = 0, traces = 0;
        await foreach (var batch in fetcher.FetchAsync(fetch, cancellationToken).WithCancellation(cancellationToken))
        {
            foreach (var rows in TraceQLEngine.GroupByTrace(batch))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (System.Diagnostics.Stopwatch.GetTimestamp() > deadline)
                {
                    throw new OperationCanceledException();
                }

                var trace = new TraceView(batch, rows);
                traces++;
                spans += rows.Length;
                counted.Clear();
                foreach (var spanset in evaluator.Evaluate(metrics.Filter, trace))
                {
                    foreach (var position in spanset.Spans)
                    {
                        // A span in several spansets counts once.
                        if (!counted.Add(position))
                        {
                            continue;
                        }

                        for (var i = 0; i < by.Length; i++)
                        {
                            by[i] = evaluator.Evaluate(byExpressions[i], trace, position).First;
                        }

                        var value = field is null ? double.NaN : Numeric(evaluator.Evaluate(field, trace, position).First);
                        ref readonly var span = ref trace.Span(position);
                        accumulator.Add(by, span.StartTimeUnixNano, value, span.TraceId, span.SpanId);
                    }
                }
            }
        }

        return (spans, traces);
    }

    private static async Task<long> CountColumnsAsync(MetricsQuery metrics, MetricsAccumulator accumulator, ISpanColumnFetcher fetcher, FetchSpansRequest fetch, long deadline, CancellationToken cancellationToken)
    {
        bool names = false, services = false;
        foreach (var field in metrics.By)
        {
            names |= field.Intrinsic == Intrinsic.Name;
            services |= IsService(field);
        }

        var by = new StaticValue[metrics.By.Count];
        var withValue = metrics.Field is not null;
        long spans = 0;
        await foreach (var chunk in fetcher.FetchSpanColumnsAsync(fetch, names, services, cancellationToken).WithCancellation(cancellationToken))
        {
            if (System.Diagnostics.Stopwatch.GetTimestamp() > deadline)
            {
                throw new OperationCanceledException();
            }

            spans += chunk.Count;
            for (var s = 0; s < chunk.Count; s++)
            {
                var kindStatus = chunk.KindStatus[s];
                for (var i = 0; i < by.Length; i++)
                {
                    by[i] = metrics.By[i].Intrinsic switch
                    {
                        Intrinsic.Status => StaticValue.Status((StatusCode)(kindStatus >> 4)),
                        Intrinsic.Kind => StaticValue.SpanKind((SpanKind)(kindStatus & 0x0F)),
                        Intrinsic.Name => StaticValue.String(chunk.Names[s]),

                        // A resource without service.name has no such label, as whole-trace evaluation finds nil.
                        _ => chunk.Services[s].Length == 0 ? StaticValue.Nil : StaticValue.String(chunk.Services[s]),
                    };
                }

                accumulator.Add(by, chunk.Starts[s], withValue ? chunk.Durations[s] / 1e9 : double.NaN, chunk.TraceIds[s], chunk.SpanIds[s]);
            }
        }

        return spans;
    }

    /// <summary>Whether spans as columns answer the query exactly: see the class summary.</summary>
    private static bool IsColumnar(MetricsQuery metrics)
    {
        if (metrics.Filter.Elements is not [SpansetFilter filter]
            || (metrics.Field is { } field && field.Intrinsic != Intrinsic.Duration))
        {
            return false;
        }

        foreach (var by in metrics.By)
        {
            if (by.Intrinsic is not (Intrinsic.Name or Intrinsic.Status or Intrinsic.Kind) && !IsService(by))
            {
                return false;
            }
        }

        return filter.Expression is null || IsColumnarCondition(filter.Expression);
    }

    private static bool IsColumnarCondition(FieldExpression expression)
    {
        if (expression is not BinaryExpression binary)
        {
            return false;
        }

        if (binary.Operator == BinaryOperator.And)
        {
            return IsColumnarCondition(binary.Left) && IsColumnarCondition(binary.Right);
        }

        if (binary.Left is not AttributeExpression { Field: var field } || binary.Right is not StaticExpression { Value: var value })
        {
            return false;
        }

        if (IsService(field))
        {
            return value.Kind == StaticKind.String && binary.Operator == BinaryOperator.Equal;
        }

        return (field.Intrinsic, value.Kind) switch
        {
            (Intrinsic.Status, StaticKind.Status) or (Intrinsic.Kind, StaticKind.Kind) or (Intrinsic.Name, StaticKind.String)
                => binary.Operator is BinaryOperator.Equal or BinaryOperator.NotEqual,
            (Intrinsic.Duration, StaticKind.Duration)
                => binary.Operator is BinaryOperator.Equal or BinaryOperator.NotEqual or BinaryOperator.Greater
                    or BinaryOperator.GreaterOrEqual or BinaryOperator.Less or BinaryOperator.LessOrEqual,
            _ => false,
        };
    }

    private static bool IsService(FieldRef field) => field is { Scope: AttributeScope.Resource, Name: "service.name" };

    /// <summary>A value a metrics function can aggregate: numbers as they are, durations in seconds.</summary>
    private static double Numeric(StaticValue value) => value.Kind switch
    {
        StaticKind.Int => value.Integer,
        StaticKind.Float => value.Float,
        StaticKind.Duration => value.Integer / 1e9,
        _ => double.NaN,
    };

    /// <summary>Rejects fields no function can aggregate, before anything is read.</summary>
    private static MetricsQuery Check(MetricsQuery query)
    {
        if (query.Field is { IsAttribute: false } field
            && field.Intrinsic is not (Intrinsic.Duration or Intrinsic.TraceDuration or Intrinsic.EventTimeSinceStart))
        {
            throw new TraceQLException(1, 1, $"{Printer.Print(field)} is not a number: a metrics function aggregates durations or numeric attributes");
        }

        return query;
    }
}
