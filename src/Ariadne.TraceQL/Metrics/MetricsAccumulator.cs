using Ariadne.Model;
using Ariadne.TraceQL.Ast;
using Ariadne.TraceQL.Syntax;

namespace Ariadne.TraceQL.Metrics;

/// <summary>
/// Turns spans into the series of one metrics query: each span goes to the series of its <c>by</c>
/// values and to the step interval its start falls in. Counts, sums, minima and maxima are kept per
/// interval; quantiles in a relative-error sketch per interval; histograms in power-of-two buckets.
/// One exemplar candidate (the first span seen) is kept per series and interval.
/// </summary>
internal sealed class MetricsAccumulator
{
    private readonly MetricsQuery _query;
    private readonly MetricsRequest _request;
    private readonly int _maxSeries;
    private readonly Dictionary<LabelKey, SeriesState> _series = new();
    private readonly ulong _start;
    private readonly ulong _end;
    private readonly ulong _step;
    private (StaticValue[] Key, SeriesState State)? _last;

    public MetricsAccumulator(MetricsQuery query, MetricsRequest request, int maxSeries, int maxIntervals)
    {
        _query = query;
        _request = request;
        _maxSeries = maxSeries;
        if (request.EndUnixNanos <= request.StartUnixNanos)
        {
            throw new ArgumentException("the end of the window must come after its start", nameof(request));
        }

        if (request.Instant)
        {
            (_start, _end, _step) = (request.StartUnixNanos, request.EndUnixNanos, request.EndUnixNanos - request.StartUnixNanos);
        }
        else
        {
            if (request.StepNanos == 0)
            {
                throw new ArgumentException("the step must be positive", nameof(request));
            }

            _step = request.StepNanos;
            _start = request.StartUnixNanos - (request.StartUnixNanos % _step);
            var end = request.EndUnixNanos;
            _end = end % _step == 0 ? end : end - (end % _step) + _step;
        }

        var intervals = (_end - _start) / _step;
        if (intervals > (ulong)maxIntervals)
        {
            throw new ArgumentException($"the window holds {intervals} steps, more than the {maxIntervals} allowed: use a larger step", nameof(request));
        }

        Intervals = (int)intervals;
    }

    public int Intervals { get; }

    public ulong WindowStart => _start;

    public ulong WindowEnd => _end;

    /// <summary>Whether the function aggregates a value (anything but rate and count_over_time).</summary>
    public bool NeedsValue => _query.Function is not (MetricsFunction.Rate or MetricsFunction.CountOverTime);

    /// <summary>
    /// Adds one span. <paramref name="value"/> is the field's value (duration in seconds); NaN when the
    /// span has no numeric value for it, and then a value function skips the span.
    /// </summary>
    public void Add(StaticValue[] by, ulong startUnixNanos, double value, TraceId traceId, SpanId spanId)
    {
        if (startUnixNanos < _start || startUnixNanos >= _end || (NeedsValue && double.IsNaN(value)))
        {
            return;
        }

        var interval = (int)((startUnixNanos - _start) / _step);

        // Spans arrive in runs of the same series (one series when nothing is grouped): skip the lookup.
        if (_last is { } last && last.Key.AsSpan().SequenceEqual(by))
        {
            last.State.Add(interval, value, startUnixNanos, traceId, spanId);
            return;
        }

        var key = new LabelKey(by);
        if (!_series.TryGetValue(key, out var state))
        {
            if (_series.Count >= _maxSeries)
            {
                throw new TraceQLException(1, 1, $"the query makes more than {_maxSeries} series: narrow the filter or group by fewer values");
            }

            var labels = (StaticValue[])by.Clone();
            state = new SeriesState(Intervals, _query.Function) { Labels = labels };
            _series.Add(new LabelKey(labels), state);
        }

        _last = (state.Labels, state);
        state.Add(interval, value, startUnixNanos, traceId, spanId);
    }

    public MetricsResponse Build(long inspectedSpans, long inspectedTraces)
    {
        var result = new List<MetricsSeries>();
        var stepSeconds = _step / 1e9;
        foreach (var (key, state) in _series)
        {
            var labels = new List<(string, StaticValue)>();
            for (var i = 0; i < _query.By.Count; i++)
            {
                if (key.Values[i].Kind != StaticKind.Nil)
                {
                    labels.Add((Printer.Print(_query.By[i]), key.Values[i]));
                }
            }

            switch (_query.Function)
            {
                case MetricsFunction.QuantileOverTime:
                    var perQuantile = new List<(double Q, double[] Values)>();
                    foreach (var q in _query.Quantiles)
                    {
                        perQuantile.Add((q, state.Quantiles(q)));
                    }

                    foreach (var (q, values) in perQuantile)
                    {
                        var exemplars = state.Exemplars(_request.MaxExemplars, (interval, own) => NearestQuantile(perQuantile, interval, own) == q ? own : double.NaN);
                        result.Add(new MetricsSeries([.. labels, ("p", StaticValue.FloatValue(q))], values, exemplars));
                    }

                    break;
                case MetricsFunction.HistogramOverTime:
                    foreach (var (bucket, counts) in state.Histogram())
                    {
                        var values = Array.ConvertAll(counts, static c => (double)c);
                        var exemplars = state.Exemplars(_request.MaxExemplars, (interval, own) => HistogramBucket(own) == bucket ? values[interval] : double.NaN);
                        result.Add(new MetricsSeries([.. labels, ("__bucket", StaticValue.FloatValue(bucket))], values, exemplars));
                    }

                    break;
                default:
                    var series = state.Values(_query.Function, stepSeconds);
                    var own = _query.Function is MetricsFunction.Rate or MetricsFunction.CountOverTime;
                    result.Add(new MetricsSeries(labels, series, state.Exemplars(_request.MaxExemplars, (interval, value) => own ? series[interval] : value)));
                    break;
            }
        }

        result.Sort(static (a, b) => string.CompareOrdinal(Describe(a.Labels), Describe(b.Labels)));
        return new MetricsResponse(result, _start, _step, inspectedSpans, inspectedTraces);
    }

    private static double NearestQuantile(List<(double Q, double[] Values)> quantiles, int interval, double value)
    {
        var best = quantiles[0].Q;
        var distance = double.MaxValue;
        foreach (var (q, values) in quantiles)
        {
            var d = Math.Abs(values[interval] - value);
            if (d < distance)
            {
                (best, distance) = (q, d);
            }
        }

        return best;
    }

    /// <summary>The power of two a value's histogram bucket ends at (values at or below 0 in bucket 0).</summary>
    public static double HistogramBucket(double value) => value > 0 ? Math.Pow(2, Math.Ceiling(Math.Log2(value))) : 0;

    private static string Describe(IReadOnlyList<(string Key, StaticValue Value)> labels)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var (key, value) in labels)
        {
            builder.Append(key).Append('=');
            Printer.Write(builder, value);
            builder.Append(',');
        }

        return builder.ToString();
    }

    private readonly struct LabelKey(StaticValue[] values) : IEquatable<LabelKey>
    {
        public StaticValue[] Values { get; } = values;

        public bool Equals(LabelKey other) => Values.AsSpan().SequenceEqual(other.Values);

        public override bool Equals(object? obj) => obj is LabelKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var value in Values)
            {
                hash.Add(value);
            }

            return hash.ToHashCode();
        }
    }

    /// <summary>One series' running aggregates, one slot per step interval.</summary>
    private sealed class SeriesState
    {
        private readonly long[] _counts;
        private readonly double[]? _sums;
        private readonly double[]? _mins;
        private readonly double[]? _maxes;
        private readonly QuantileSketch?[]? _sketches;
        private readonly SortedDictionary<double, long[]>? _histogram;
        private readonly (ulong Start, double Value, TraceId TraceId, SpanId SpanId)[] _exemplars;
        private readonly bool[] _hasExemplar;

        /// <summary>The series' own copy of its <c>by</c> values.</summary>
        public StaticValue[] Labels { get; init; } = [];

        public SeriesState(int intervals, MetricsFunction function)
        {
            _counts = new long[intervals];
            _exemplars = new (ulong, double, TraceId, SpanId)[intervals];
            _hasExemplar = new bool[intervals];
            switch (function)
            {
                case MetricsFunction.SumOverTime or MetricsFunction.AvgOverTime:
                    _sums = new double[intervals];
                    break;
                case MetricsFunction.MinOverTime:
                    _mins = new double[intervals];
                    Array.Fill(_mins, double.PositiveInfinity);
                    break;
                case MetricsFunction.MaxOverTime:
                    _maxes = new double[intervals];
                    Array.Fill(_maxes, double.NegativeInfinity);
                    break;
                case MetricsFunction.QuantileOverTime:
                    _sketches = new QuantileSketch?[intervals];
                    break;
                case MetricsFunction.HistogramOverTime:
                    _histogram = new SortedDictionary<double, long[]>();
                    break;
            }
        }

        public void Add(int interval, double value, ulong start, TraceId traceId, SpanId spanId)
        {
            _counts[interval]++;
            if (_sums is not null)
            {
                _sums[interval] += value;
            }

            if (_mins is not null && value < _mins[interval])
            {
                _mins[interval] = value;
            }

            if (_maxes is not null && value > _maxes[interval])
            {
                _maxes[interval] = value;
            }

            if (_sketches is not null)
            {
                (_sketches[interval] ??= new QuantileSketch()).Add(value);
            }

            if (_histogram is not null)
            {
                var bucket = HistogramBucket(value);
                if (!_histogram.TryGetValue(bucket, out var counts))
                {
                    _histogram[bucket] = counts = new long[_counts.Length];
                }

                counts[interval]++;
            }

            if (!_hasExemplar[interval])
            {
                _hasExemplar[interval] = true;
                _exemplars[interval] = (start, value, traceId, spanId);
            }
        }

        public double[] Values(MetricsFunction function, double stepSeconds)
        {
            var values = new double[_counts.Length];
            for (var i = 0; i < values.Length; i++)
            {
                var count = _counts[i];
                values[i] = function switch
                {
                    MetricsFunction.Rate => count / stepSeconds,
                    MetricsFunction.CountOverTime => count,
                    MetricsFunction.SumOverTime => count == 0 ? double.NaN : _sums![i],
                    MetricsFunction.AvgOverTime => count == 0 ? double.NaN : _sums![i] / count,
                    MetricsFunction.MinOverTime => count == 0 ? double.NaN : _mins![i],
                    MetricsFunction.MaxOverTime => count == 0 ? double.NaN : _maxes![i],
                    _ => double.NaN,
                };
            }

            return values;
        }

        public double[] Quantiles(double q)
        {
            var values = new double[_counts.Length];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = _sketches![i]?.Quantile(q) ?? double.NaN;
            }

            return values;
        }

        public IEnumerable<(double Bucket, long[] Counts)> Histogram()
        {
            foreach (var (bucket, counts) in _histogram!)
            {
                yield return (bucket, counts);
            }
        }

        /// <summary>
        /// Up to <paramref name="max"/> exemplars spread evenly over the intervals that have one;
        /// <paramref name="value"/> gives each its value (NaN: not this series').
        /// </summary>
        public List<MetricsExemplar> Exemplars(int max, Func<int, double, double> value)
        {
            var result = new List<MetricsExemplar>();
            if (max <= 0)
            {
                return result;
            }

            var candidates = new List<int>();
            for (var i = 0; i < _hasExemplar.Length; i++)
            {
                if (_hasExemplar[i] && !double.IsNaN(value(i, _exemplars[i].Value)))
                {
                    candidates.Add(i);
                }
            }

            var take = Math.Min(max, candidates.Count);
            for (var n = 0; n < take; n++)
            {
                var i = candidates[(int)((long)n * candidates.Count / take)];
                var (start, own, traceId, spanId) = _exemplars[i];
                result.Add(new MetricsExemplar(traceId.ToString(), spanId.ToString(), value(i, own), (long)(start / 1_000_000)));
            }

            return result;
        }
    }
}
