using System.Buffers.Text;
using System.Text;
using Ariadne.Model;

namespace Ariadne.Analysis.Metrics;

/// <summary>
/// Request, error and duration (RED) metrics per service, span name, span kind and status code (plus
/// configured dimensions), as the OpenTelemetry Collector's spanmetrics connector computes them and its
/// Prometheus exporter names them. A series is found by the interned ids of its values, so a span costs
/// no allocation unless it starts a new series. Thread-safe: one lock per batch.
/// </summary>
internal sealed class SpanMetrics
{
    public const string CallsName = "traces_span_metrics_calls_total";
    public const string DurationName = "traces_span_metrics_duration_seconds";

    /// <summary>A dimension the span does not have and that has no default: the label is left out.</summary>
    private const int Missing = -2;
    private const int FixedDimensions = 4;

    private static readonly string[] KindLabels =
        ["SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"];

    private static readonly string[] StatusLabels = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"];

    private readonly Lock _gate = new();
    private readonly SpanMetricsSettings _settings;
    private readonly HistogramLayout _layout;
    private readonly Utf8Interner _strings;
    private readonly SeriesIndex _index = new();
    private readonly List<Series> _series = [];
    private readonly byte[][] _dimensionKeys;
    private readonly int[] _dimensionDefaults;
    private readonly string[] _dimensionLabels;
    private Series? _overflow;

    /// <summary>Per resource of the batch being observed: its service id, then its value of each dimension.</summary>
    private int[] _resourceValues = new int[64];

    public SpanMetrics(SpanMetricsSettings settings)
    {
        _settings = settings;
        _layout = new HistogramLayout(settings.HistogramBuckets);

        // Each series holds at most a service, a name and one value per dimension, so this bounds the
        // strings by the series cap (values that only ever land in the overflow series included).
        _strings = new Utf8Interner((settings.MaxSeries * (2 + settings.Dimensions.Count)) + 1024);
        var count = settings.Dimensions.Count;
        _dimensionKeys = new byte[count][];
        _dimensionDefaults = new int[count];
        _dimensionLabels = new string[count];
        for (var i = 0; i < count; i++)
        {
            var dimension = settings.Dimensions[i];
            _dimensionKeys[i] = Encoding.UTF8.GetBytes(dimension.Name);
            _dimensionDefaults[i] = dimension.Default is { } value ? _strings.Intern(value) : Missing;
            _dimensionLabels[i] = PrometheusText.LabelName(dimension.Name);
        }
    }

    public SpanMetricsSettings Settings => _settings;

    public int SeriesCount
    {
        get
        {
            lock (_gate)
            {
                return _series.Count;
            }
        }
    }

    public void Observe(SpanBatch batch)
    {
        if (batch.SpanCount == 0)
        {
            return;
        }

        lock (_gate)
        {
            ObserveLocked(batch);
        }
    }

    private void ObserveLocked(SpanBatch batch)
    {
        var dimensions = _dimensionKeys.Length;
        var stride = 1 + dimensions;
        PrepareResources(batch, stride);
        Span<int> key = stackalloc int[FixedDimensions + dimensions];
        var scopes = batch.Scopes.Rows;
        foreach (ref readonly var span in batch.Spans.Rows)
        {
            var resource = scopes[span.ScopeIndex].ResourceIndex * stride;
            key[0] = _resourceValues[resource];
            key[1] = _strings.Intern(batch.Utf8(span.Name));
            key[2] = (int)span.Kind;
            key[3] = (int)span.StatusCode;
            var full = key[0] == Utf8Interner.Full || key[1] == Utf8Interner.Full;
            for (var d = 0; d < dimensions; d++)
            {
                var value = FindValue(batch, span.Attributes, d);
                if (value == Missing)
                {
                    value = _resourceValues[resource + 1 + d];
                }

                key[FixedDimensions + d] = value;
                full |= value == Utf8Interner.Full;
            }

            var series = full ? Overflow() : Find(key);
            var nanos = span.DurationNanos;
            series.Duration.Record(nanos, span);
            if (_settings.Exemplars)
            {
                series.LastCall = new Exemplar(span.TraceId, span.SpanId, 1, span.EndTimeUnixNano);
            }
        }
    }

    private Series Find(ReadOnlySpan<int> key)
    {
        var id = _index.Find(key);
        if (id >= 0)
        {
            return _series[id];
        }

        if (_series.Count >= _settings.MaxSeries)
        {
            return Overflow();
        }

        id = _index.Add(key);
        var series = new Series(Labels(key), new Histogram(_layout, _settings.Exemplars));
        _series.Add(series);
        return series;
    }

    private Series Overflow() => _overflow ??= new Series("otel_metric_overflow=\"true\"", new Histogram(_layout, _settings.Exemplars));

    private string Labels(ReadOnlySpan<int> key)
    {
        var text = new StringBuilder(128)
            .AppendLabel("service_name", _strings[key[0]]).Append(',')
            .AppendLabel("span_name", _strings[key[1]]).Append(',')
            .AppendLabel("span_kind", (uint)key[2] < KindLabels.Length ? KindLabels[key[2]] : KindLabels[0]).Append(',')
            .AppendLabel("status_code", (uint)key[3] < StatusLabels.Length ? StatusLabels[key[3]] : StatusLabels[0]);
        for (var d = 0; d < _dimensionLabels.Length; d++)
        {
            if (key[FixedDimensions + d] >= 0)
            {
                text.Append(',').AppendLabel(_dimensionLabels[d], _strings[key[FixedDimensions + d]]);
            }
        }

        return text.ToString();
    }

    /// <summary>Resolves each resource's service and dimension values once per batch rather than once per span.</summary>
    private void PrepareResources(SpanBatch batch, int stride)
    {
        var resources = batch.Resources.Rows;
        if (_resourceValues.Length < resources.Length * stride)
        {
            _resourceValues = new int[resources.Length * stride * 2];
        }

        for (var r = 0; r < resources.Length; r++)
        {
            var attributes = resources[r].Attributes;
            _resourceValues[r * stride] = _strings.Intern(
                batch.TryGetString(attributes, "service.name"u8, out var service) ? batch.Utf8(service) : default);
            for (var d = 0; d < _dimensionKeys.Length; d++)
            {
                var value = FindValue(batch, attributes, d);
                _resourceValues[(r * stride) + 1 + d] = value == Missing ? _dimensionDefaults[d] : value;
            }
        }
    }

    /// <summary>The interned text of dimension <paramref name="dimension"/> among the attributes, or <see cref="Missing"/>.</summary>
    private int FindValue(SpanBatch batch, RowRange attributes, int dimension)
    {
        var name = _dimensionKeys[dimension];
        foreach (ref readonly var attribute in batch.AttributesOf(attributes))
        {
            if (attribute.Key.Length == name.Length && batch.StringEquals(attribute.Key, name))
            {
                return InternValue(batch, attribute.Value);
            }
        }

        return Missing;
    }

    private int InternValue(SpanBatch batch, AnyValue value)
    {
        Span<byte> formatted = stackalloc byte[32];
        var written = 0;
        switch (value.Kind)
        {
            case ValueKind.String:
                return _strings.Intern(batch.Utf8(value.StringRef));
            case ValueKind.Bool:
                return _strings.Intern(value.BoolValue ? "true"u8 : "false"u8);
            case ValueKind.Int:
                Utf8Formatter.TryFormat(value.IntValue, formatted, out written);
                break;
            case ValueKind.Double:
                value.DoubleValue.TryFormat(formatted, out written, default, System.Globalization.CultureInfo.InvariantCulture);
                break;
            default:
                break;
        }

        return _strings.Intern(formatted[..written]);
    }

    /// <summary>Writes the calls counter and the duration histogram of every series.</summary>
    public void WriteTo(StringBuilder text, bool openMetrics)
    {
        List<(string Labels, Histogram Duration, Exemplar LastCall)> snapshot;
        lock (_gate)
        {
            snapshot = new(_series.Count + 1);
            foreach (var series in _series)
            {
                snapshot.Add((series.Labels, series.Duration.Snapshot(), series.LastCall));
            }

            if (_overflow is { } overflow)
            {
                snapshot.Add((overflow.Labels, overflow.Duration.Snapshot(), overflow.LastCall));
            }
        }

        PrometheusText.Header(text, CallsName, "counter", "Spans per service, span name, kind and status (status_code=\"STATUS_CODE_ERROR\": errors), before sampling.");
        foreach (var (labels, duration, lastCall) in snapshot)
        {
            text.Append(CallsName).Append('{').Append(labels).Append("} ").AppendValue(duration.Count);
            text.EndSample(lastCall, 1, openMetrics);
        }

        PrometheusText.Header(text, DurationName, "histogram", "Span durations per service, span name, kind and status, before sampling.");
        foreach (var (labels, duration, _) in snapshot)
        {
            PrometheusText.Histogram(text, DurationName, labels, duration, openMetrics);
        }
    }

    private sealed class Series(string labels, Histogram duration)
    {
        public string Labels { get; } = labels;

        public Histogram Duration { get; } = duration;

        public Exemplar LastCall { get; set; }
    }
}
