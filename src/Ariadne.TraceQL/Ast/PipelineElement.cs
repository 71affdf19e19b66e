namespace Ariadne.TraceQL.Ast;

/// <summary>One stage of a pipeline, applied to every spanset the previous stage produced.</summary>
internal abstract record PipelineElement;

/// <summary>Stages that select spans: filters, their combinations, and parenthesized pipelines.</summary>
internal abstract record SpansetExpression : PipelineElement;

/// <summary><c>{ expression }</c>; <c>{ }</c> (a null expression) keeps every span.</summary>
internal sealed record SpansetFilter(FieldExpression? Expression) : SpansetExpression;

internal sealed record SpansetOperation(SpansetOperator Operator, SpansetExpression Left, SpansetExpression Right) : SpansetExpression;

/// <summary>A pipeline: the whole query, or a parenthesized one used as an operand.</summary>
internal sealed record Pipeline(ValueList<PipelineElement> Elements) : SpansetExpression;

/// <summary><c>| count() &gt; 3</c>: keeps the spansets for which the comparison holds.</summary>
internal sealed record ScalarFilter(BinaryOperator Operator, ScalarExpression Left, ScalarExpression Right) : PipelineElement;

/// <summary><c>| by(field)</c>: splits each spanset by the field's value.</summary>
internal sealed record GroupBy(FieldExpression Field) : PipelineElement;

/// <summary><c>| coalesce()</c>: merges a trace's spansets into one.</summary>
internal sealed record Coalesce : PipelineElement;

/// <summary><c>| select(a, b)</c>: returns these fields with each span.</summary>
internal sealed record Select(ValueList<FieldRef> Fields) : PipelineElement;
