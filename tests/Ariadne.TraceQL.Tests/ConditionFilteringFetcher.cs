using System.Runtime.CompilerServices;
using Ariadne.Model;
using Ariadne.TraceQL.Ast;
using Ariadne.TraceQL.Evaluation;
using Ariadne.TraceQL.Fetch;

namespace Ariadne.TraceQL.Tests;

/// <summary>
/// A fetcher that takes the pushed-down conditions literally, as a store would: it yields only traces
/// with a span meeting every condition (or any, per the request). If the engine ever derived conditions
/// narrower than its query, searches through this fetcher would lose traces.
/// </summary>
internal sealed class ConditionFilteringFetcher : ISpansetFetcher
{
    private readonly SpanBatch _batch;

    public ConditionFilteringFetcher(SpanBatch batch) => _batch = batch;

    public List<FetchSpansRequest> Requests { get; } = [];

    public async IAsyncEnumerable<SpanBatch> FetchAsync(FetchSpansRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Requests.Add(request);
        var evaluator = new Evaluator();
        var filters = request.Conditions.Select(ToExpression).ToList();
        await foreach (var trace in new InMemorySpansetFetcher([_batch]).FetchAsync(request, cancellationToken))
        {
            var rows = Enumerable.Range(0, trace.SpanCount).ToArray();
            var view = new TraceView(trace, rows);
            var qualifies = filters.Count == 0 || rows.Any(span => request.AllConditions
                ? filters.All(f => Evaluator.IsTrue(evaluator.Evaluate(f, view, span)))
                : filters.Any(f => Evaluator.IsTrue(evaluator.Evaluate(f, view, span))));
            if (qualifies)
            {
                yield return trace;
            }
        }
    }

    private static FieldExpression ToExpression(Condition condition)
    {
        var op = condition.Operator switch
        {
            ConditionOperator.Equal => BinaryOperator.Equal,
            ConditionOperator.NotEqual => BinaryOperator.NotEqual,
            ConditionOperator.Greater => BinaryOperator.Greater,
            ConditionOperator.GreaterOrEqual => BinaryOperator.GreaterOrEqual,
            ConditionOperator.Less => BinaryOperator.Less,
            ConditionOperator.LessOrEqual => BinaryOperator.LessOrEqual,
            ConditionOperator.Regex => BinaryOperator.Regex,
            ConditionOperator.NotRegex => BinaryOperator.NotRegex,
            _ => throw new InvalidOperationException("conditions without an operator only ask for a field"),
        };
        return new BinaryExpression(op, new AttributeExpression(condition.Field), new StaticExpression(condition.Operands[0]));
    }
}
