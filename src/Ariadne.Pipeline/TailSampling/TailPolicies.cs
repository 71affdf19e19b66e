using System.Text;
using System.Text.RegularExpressions;
using Ariadne.Model;
using Ariadne.Pipeline.Processors;

namespace Ariadne.Pipeline.TailSampling;

/// <summary>What one policy says about a whole trace, with the Collector's meanings.</summary>
internal enum PolicyDecision
{
    NotSampled,
    Sampled,

    /// <summary>An inverted match that did not match: sample, unless another policy says InvertNotSampled.</summary>
    InvertSampled,

    /// <summary>An inverted match that matched: not sampled, whatever the other policies say (drop excepted).</summary>
    InvertNotSampled,

    /// <summary>A <c>drop</c> policy matched: the trace is dropped whatever the others say.</summary>
    Dropped,
}

/// <summary>One named <c>tail_sampling</c> policy, evaluated on a whole trace.</summary>
internal abstract class TailPolicy(string name)
{
    public string Name { get; } = name;

    /// <param name="trace">Every span of the trace that arrived within decision_wait.</param>
    /// <param name="nowUnixSeconds">The decision's wall-clock second (for rate limits).</param>
    public abstract PolicyDecision Evaluate(List<SpanRef> trace, long nowUnixSeconds);

    protected static PolicyDecision Matched(bool matched) => matched ? PolicyDecision.Sampled : PolicyDecision.NotSampled;

    protected static PolicyDecision Inverted(bool matched) => matched ? PolicyDecision.InvertNotSampled : PolicyDecision.InvertSampled;

    /// <summary>Calls <paramref name="test"/> with each value of the attribute on any span or its resource until it returns true.</summary>
    protected static bool AnyAttribute(List<SpanRef> trace, byte[] key, Func<SpanBatch, AnyValue, bool> test)
    {
        foreach (var span in trace)
        {
            var batch = span.Batch;
            ref readonly var row = ref span.Row;
            if (Find(batch, batch.AttributesOf(row.Attributes), key, test)
                || Find(batch, batch.AttributesOf(batch.ResourceOf(row).Attributes), key, test))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Find(SpanBatch trace, ReadOnlySpan<KeyValue> attributes, byte[] key, Func<SpanBatch, AnyValue, bool> test)
    {
        foreach (ref readonly var attribute in attributes)
        {
            if (trace.StringEquals(attribute.Key, key) && test(trace, attribute.Value))
            {
                return true;
            }
        }

        return false;
    }
}

internal sealed class AlwaysSamplePolicy(string name) : TailPolicy(name)
{
    public override PolicyDecision Evaluate(List<SpanRef> trace, long nowUnixSeconds) => PolicyDecision.Sampled;
}

/// <summary>
/// The trace's duration (latest end minus earliest start over its spans) is at least
/// <c>threshold_ms</c>; with <c>upper_threshold_ms</c>, also at most that.
/// </summary>
internal sealed class LatencyPolicy(string name, long thresholdMs, long upperThresholdMs) : TailPolicy(name)
{
    public override PolicyDecision Evaluate(List<SpanRef> trace, long nowUnixSeconds)
    {
        ulong start = ulong.MaxValue, end = 0;
        foreach (var span in trace)
        {
            start = Math.Min(start, span.Row.StartTimeUnixNano);
            end = Math.Max(end, span.Row.EndTimeUnixNano);
        }

        var ms = end > start ? (double)(end - start) / 1_000_000 : 0;
        return Matched(ms >= thresholdMs && (upperThresholdMs == 0 || ms <= upperThresholdMs));
    }
}

/// <summary>Any span has one of the status codes.</summary>
internal sealed class StatusCodePolicy(string name, IReadOnlyList<StatusCode> codes) : TailPolicy(name)
{
    private readonly StatusCode[] _codes = [.. codes];

    public override PolicyDecision Evaluate(List<SpanRef> trace, long nowUnixSeconds)
    {
        foreach (var span in trace)
        {
            if (Array.IndexOf(_codes, span.Row.StatusCode) >= 0)
            {
                return PolicyDecision.Sampled;
            }
        }

        return PolicyDecision.NotSampled;
    }
}

/// <summary>
/// Keeps <c>sampling_percentage</c> of traces by a hash of the trace id (salted by <c>hash_salt</c>),
/// so every instance and every restart keeps the same traces.
/// </summary>
internal sealed class ProbabilisticPolicy(string name, double percentage, string salt) : TailPolicy(name)
{
    private readonly ProbabilisticSamplerProcessor _sampler = new(name, percentage, SaltSeed(salt));

    public override PolicyDecision Evaluate(List<SpanRef> trace, long nowUnixSeconds) =>
        Matched(trace.Count > 0 && _sampler.Keeps(trace[0].Row.TraceId));

    private static uint SaltSeed(string salt)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(salt))
        {
            hash ^= b;
            hash *= 16777619u;
        }

        return hash;
    }
}

/// <summary>
/// Keeps traces while the spans kept in the current second stay within <c>spans_per_second</c>.
/// </summary>
internal sealed class RateLimitingPolicy(string name, long spansPerSecond) : TailPolicy(name)
{
    private readonly Lock _lock = new();
    private long _second;
    private long _spent;

    public override PolicyDecision Evaluate(List<SpanRef> trace, long nowUnixSeconds)
    {
        lock (_lock)
        {
            if (nowUnixSeconds != _second)
            {
                _second = nowUnixSeconds;
                _spent = 0;
            }

            if (_spent + trace.Count > spansPerSecond)
            {
                return PolicyDecision.NotSampled;
            }

            _spent += trace.Count;
            return PolicyDecision.Sampled;
        }
    }
}

/// <summary>A span or resource attribute <c>key</c> holds one of <c>values</c> (exactly, or as regexes fully matching).</summary>
internal sealed class StringAttributePolicy : TailPolicy
{
    private readonly byte[] _key;
    private readonly HashSet<string> _exact;
    private readonly Regex[] _patterns;
    private readonly bool _invert;

    public StringAttributePolicy(string name, string key, IReadOnlyList<string> values, bool regex, bool invert)
        : base(name)
    {
        _key = Encoding.UTF8.GetBytes(key);
        _invert = invert;
        _exact = regex ? [] : [.. values];
        _patterns = regex
            ? [.. values.Select(v => new Regex($"^(?:{v})$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)))]
            : [];
    }

    public override PolicyDecision Evaluate(List<SpanRef> trace, long nowUnixSeconds)
    {
        var matched = AnyAttribute(trace, _key, (batch, value) =>
        {
            if (value.Kind != ValueKind.String)
            {
                return false;
            }

            var text = batch.GetString(value.StringRef);
            if (_exact.Contains(text))
            {
                return true;
            }

            foreach (var pattern in _patterns)
            {
                if (pattern.IsMatch(text))
                {
                    return true;
                }
            }

            return false;
        });
        return _invert ? Inverted(matched) : Matched(matched);
    }
}

/// <summary>An integer span or resource attribute <c>key</c> lies in [<c>min_value</c>, <c>max_value</c>].</summary>
internal sealed class NumericAttributePolicy(string name, string key, long min, long max, bool invert) : TailPolicy(name)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(key);

    public override PolicyDecision Evaluate(List<SpanRef> trace, long nowUnixSeconds)
    {
        var matched = AnyAttribute(trace, _key, (_, value) =>
            (value.Kind == ValueKind.Int && value.IntValue >= min && value.IntValue <= max)
            || (value.Kind == ValueKind.Double && value.DoubleValue >= min && value.DoubleValue <= max));
        return invert ? Inverted(matched) : Matched(matched);
    }
}

/// <summary>A boolean span or resource attribute <c>key</c> equals <c>value</c>.</summary>
internal sealed class BooleanAttributePolicy(string name, string key, bool expected, bool invert) : TailPolicy(name)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(key);

    public override PolicyDecision Evaluate(List<SpanRef> trace, long nowUnixSeconds)
    {
        var matched = AnyAttribute(trace, _key, (_, value) => value.Kind == ValueKind.Bool && value.BoolValue == expected);
        return invert ? Inverted(matched) : Matched(matched);
    }
}

/// <summary>The trace has at least <c>min_spans</c> spans and, when <c>max_spans</c> is set, at most that many.</summary>
internal sealed class SpanCountPolicy(string name, int minSpans, int maxSpans, bool invert) : TailPolicy(name)
{
    public override PolicyDecision Evaluate(List<SpanRef> trace, long nowUnixSeconds)
    {
        var matched = trace.Count >= minSpans && (maxSpans == 0 || trace.Count <= maxSpans);
        return invert ? Inverted(matched) : Matched(matched);
    }
}

/// <summary>Some span's W3C tracestate has <c>key</c>=one of <c>values</c>.</summary>
internal sealed class TraceStatePolicy(string name, string key, IReadOnlyList<string> values) : TailPolicy(name)
{
    private readonly HashSet<string> _values = [.. values];

    public override PolicyDecision Evaluate(List<SpanRef> trace, long nowUnixSeconds)
    {
        foreach (var span in trace)
        {
            if (span.Row.TraceState.Length == 0)
            {
                continue;
            }

            foreach (var member in span.Batch.GetString(span.Row.TraceState).Split(','))
            {
                var equals = member.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0 && member.AsSpan(0, equals).Trim().SequenceEqual(key) && _values.Contains(member[(equals + 1)..].Trim()))
                {
                    return PolicyDecision.Sampled;
                }
            }
        }

        return PolicyDecision.NotSampled;
    }
}

/// <summary>Samples when every sub-policy samples (<c>and_sub_policy</c>).</summary>
internal sealed class AndPolicy(string name, IReadOnlyList<TailPolicy> policies) : TailPolicy(name)
{
    public IReadOnlyList<TailPolicy> Policies { get; } = policies;

    public override PolicyDecision Evaluate(List<SpanRef> trace, long nowUnixSeconds)
    {
        foreach (var policy in Policies)
        {
            if (policy.Evaluate(trace, nowUnixSeconds) is not (PolicyDecision.Sampled or PolicyDecision.InvertSampled))
            {
                return PolicyDecision.NotSampled;
            }
        }

        return PolicyDecision.Sampled;
    }
}

/// <summary>Drops the trace, whatever other policies say, when every sub-policy samples (<c>drop_sub_policy</c>).</summary>
internal sealed class DropPolicy(string name, IReadOnlyList<TailPolicy> policies) : TailPolicy(name)
{
    private readonly AndPolicy _all = new(name, policies);

    public override PolicyDecision Evaluate(List<SpanRef> trace, long nowUnixSeconds) =>
        _all.Evaluate(trace, nowUnixSeconds) == PolicyDecision.Sampled ? PolicyDecision.Dropped : PolicyDecision.NotSampled;
}

/// <summary>
/// Shares <c>max_total_spans_per_second</c> between sub-policies: each is asked in <c>policy_order</c>,
/// and the first that samples the trace keeps it if its share (<c>rate_allocation</c> percent; policies
/// without one share what the allocations leave) has room for the trace's spans in this second.
/// </summary>
internal sealed class CompositePolicy : TailPolicy
{
    private readonly (TailPolicy Policy, long Budget)[] _order;
    private readonly long[] _spent;
    private readonly Lock _lock = new();
    private long _second;

    public CompositePolicy(string name, long maxTotalSpansPerSecond, IReadOnlyList<TailPolicy> ordered, IReadOnlyDictionary<string, double> allocation)
        : base(name)
    {
        double allocated = 0;
        foreach (var percent in allocation.Values)
        {
            allocated += percent;
        }

        var unallocated = ordered.Count(p => !allocation.ContainsKey(p.Name));
        var rest = unallocated == 0 ? 0 : (long)(maxTotalSpansPerSecond * Math.Max(0, 100 - allocated) / 100 / unallocated);
        _order = [.. ordered.Select(p => (p, allocation.TryGetValue(p.Name, out var percent) ? (long)(maxTotalSpansPerSecond * percent / 100) : rest))];
        _spent = new long[_order.Length];
    }

    public override PolicyDecision Evaluate(List<SpanRef> trace, long nowUnixSeconds)
    {
        for (var i = 0; i < _order.Length; i++)
        {
            if (_order[i].Policy.Evaluate(trace, nowUnixSeconds) is not (PolicyDecision.Sampled or PolicyDecision.InvertSampled))
            {
                continue;
            }

            lock (_lock)
            {
                if (nowUnixSeconds != _second)
                {
                    _second = nowUnixSeconds;
                    Array.Clear(_spent);
                }

                if (_spent[i] + trace.Count <= _order[i].Budget)
                {
                    _spent[i] += trace.Count;
                    return PolicyDecision.Sampled;
                }
            }
        }

        return PolicyDecision.NotSampled;
    }
}
