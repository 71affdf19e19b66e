using System.Runtime.CompilerServices;
using Ariadne.Model;
using Ariadne.Storage;
using Ariadne.Storage.Search;
using Ariadne.TraceQL.Ast;
using Ariadne.TraceQL.Fetch;
using AttributeScope = Ariadne.TraceQL.Ast.AttributeScope;

namespace Ariadne.Server.Query;

/// <summary>
/// The TraceQL engine's fetcher over the store: the query's conditions become storage predicates, so
/// blocks and pages that cannot match are skipped unread. A predicate is never narrower than its
/// condition; a condition storage cannot express is dropped (all-of) or drops the push-down (any-of).
/// The scan is synchronous: run the search off the request thread.
/// </summary>
internal sealed class StoreSpansetFetcher : ISpansetFetcher, ISpanColumnFetcher
{
    private readonly SpanStore _store;

    public StoreSpansetFetcher(SpanStore store, ScanMetrics? metrics = null)
    {
        _store = store;
        Metrics = metrics ?? new ScanMetrics();
    }

    public ScanMetrics Metrics { get; }

    public async IAsyncEnumerable<SpanBatch> FetchAsync(FetchSpansRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var scan = new SpanScanRequest
        {
            StartUnixNano = request.StartUnixNanos,
            EndUnixNano = request.EndUnixNanos,
            Predicates = Translate(request.Conditions, request.AllConditions),
            MatchAll = request.AllConditions,
            Metrics = Metrics,
            Deadline = request.Deadline,
        };

        foreach (var batch in _store.Scan(scan, cancellationToken))
        {
            yield return batch;
        }

        await Task.CompletedTask;
    }

    /// <summary>Spans as columns (the metrics engine asks only for conditions the columns judge exactly).</summary>
    public async IAsyncEnumerable<SpanColumns> FetchSpanColumnsAsync(FetchSpansRequest request, bool names, bool services, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var predicates = new List<SpanPredicate>(request.Conditions.Count);
        foreach (var condition in request.Conditions)
        {
            predicates.Add(ToPredicate(condition) ?? throw new ArgumentException($"{condition} cannot be judged on columns", nameof(request)));
        }

        var scan = new SpanScanRequest
        {
            StartUnixNano = request.StartUnixNanos,
            EndUnixNano = request.EndUnixNanos,
            Predicates = predicates,
            MatchAll = true,
            Metrics = Metrics,
            Deadline = request.Deadline,
        };

        foreach (var chunk in _store.ScanSpanColumns(scan, names, services, cancellationToken))
        {
            yield return new SpanColumns(chunk.Count, chunk.Starts, chunk.Durations, chunk.KindStatus, chunk.Names, chunk.Services, chunk.TraceIds, chunk.SpanIds);
        }

        await Task.CompletedTask;
    }

    /// <summary>The predicates to scan with; empty means every trace in range.</summary>
    public static IReadOnlyList<SpanPredicate> Translate(IReadOnlyList<Condition> conditions, bool all)
    {
        var predicates = new List<SpanPredicate>(conditions.Count);
        foreach (var condition in conditions)
        {
            if (ToPredicate(condition) is { } predicate)
            {
                predicates.Add(predicate);
            }
            else if (!all)
            {
                // One alternative storage cannot check could be the one a trace meets.
                return [];
            }
        }

        return predicates;
    }

    public static SpanPredicate? ToPredicate(Condition condition)
    {
        if (condition.Operands.Count != 1)
        {
            return null;
        }

        var value = condition.Operands[0];
        var field = condition.Field;
        if (!field.IsAttribute)
        {
            return field.Intrinsic switch
            {
                Intrinsic.Name => Text(SpanField.Name, null, condition.Operator, value),
                Intrinsic.StatusMessage => Text(SpanField.StatusMessage, null, condition.Operator, value),
                Intrinsic.Status when value.Kind == StaticKind.Status && Equality(condition.Operator) is { } op => SpanPredicate.Status(op, (StatusCode)value.Integer),
                Intrinsic.Kind when value.Kind == StaticKind.Kind && Equality(condition.Operator) is { } op => SpanPredicate.Kind(op, (SpanKind)value.Integer),
                Intrinsic.Duration when value.Kind == StaticKind.Duration && Ordering(condition.Operator) is { } op => SpanPredicate.Int(SpanField.Duration, op, value.Integer),
                _ => null,
            };
        }

        var key = field.Name;
        SpanField? scope = field.Scope switch
        {
            AttributeScope.Span => SpanField.SpanAttribute,
            AttributeScope.Resource => SpanField.ResourceAttribute,
            AttributeScope.Unscoped => SpanField.AnyAttribute,
            _ => null,
        };
        if (scope is not { } attributeField)
        {
            return null;
        }

        if (field.Scope == AttributeScope.Resource && field.Name == "service.name")
        {
            return Text(SpanField.ServiceName, null, condition.Operator, value);
        }

        return value.Kind switch
        {
            StaticKind.String => Text(attributeField, key, condition.Operator, value),
            StaticKind.Int when Ordering(condition.Operator) is { } op => SpanPredicate.Int(attributeField, op, value.Integer, key),
            StaticKind.Float when Ordering(condition.Operator) is { } op => SpanPredicate.Double(attributeField, op, value.Float, key),
            StaticKind.Bool when Equality(condition.Operator) is { } op => SpanPredicate.Bool(attributeField, op, value.BoolValue, key),
            _ => null,
        };
    }

    /// <summary>Strings: equality and TraceQL's anchored regular expressions; string ordering is left to the engine.</summary>
    private static SpanPredicate? Text(SpanField field, string? key, ConditionOperator op, StaticValue value)
    {
        if (value.Kind != StaticKind.String)
        {
            return null;
        }

        return op switch
        {
            ConditionOperator.Equal => SpanPredicate.String(field, PredicateOperator.Equal, value.Text!, key),
            ConditionOperator.NotEqual => SpanPredicate.String(field, PredicateOperator.NotEqual, value.Text!, key),
            ConditionOperator.Regex => SpanPredicate.String(field, PredicateOperator.Matches, "^(?:" + value.Text + ")$", key),
            _ => null,
        };
    }

    private static PredicateOperator? Equality(ConditionOperator op) => op switch
    {
        ConditionOperator.Equal => PredicateOperator.Equal,
        ConditionOperator.NotEqual => PredicateOperator.NotEqual,
        _ => null,
    };

    private static PredicateOperator? Ordering(ConditionOperator op) => op switch
    {
        ConditionOperator.Equal => PredicateOperator.Equal,
        ConditionOperator.NotEqual => PredicateOperator.NotEqual,
        ConditionOperator.Greater => PredicateOperator.Greater,
        ConditionOperator.GreaterOrEqual => PredicateOperator.GreaterOrEqual,
        ConditionOperator.Less => PredicateOperator.Less,
        ConditionOperator.LessOrEqual => PredicateOperator.LessOrEqual,
        _ => null,
    };
}
