namespace Ariadne.TraceQL.Ast;

/// <summary>The metrics functions that end a TraceQL metrics query (Tempo's names).</summary>
internal enum MetricsFunction
{
    Rate,
    CountOverTime,
    MinOverTime,
    MaxOverTime,
    SumOverTime,
    AvgOverTime,
    QuantileOverTime,
    HistogramOverTime,
}

/// <summary>
/// <c>{ filter } | rate() by (resource.service.name)</c>: the spans a search pipeline selects, turned
/// into time series by one function. <see cref="Field"/> is the value aggregated (none for rate and
/// count_over_time); <see cref="Quantiles"/> are quantile_over_time's; <see cref="By"/> splits series.
/// </summary>
internal sealed record MetricsQuery(Pipeline Filter, MetricsFunction Function, FieldRef? Field, ValueList<double> Quantiles, ValueList<FieldRef> By);
