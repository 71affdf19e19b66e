using System.Text.RegularExpressions;
using Ariadne.Model;

namespace Ariadne.Pipeline.Processors;

/// <summary>
/// Drops spans by their properties, as the Collector's filter processor does: a span for which any
/// OTTL condition under <c>traces.span</c> is true is dropped; with the older match blocks, with
/// <c>spans.include</c> only matching spans are kept and with <c>spans.exclude</c> matching spans are
/// dropped. In a block every property given must match; a list matches when any of its entries does;
/// every listed attribute must be present and match.
/// </summary>
internal sealed class FilterProcessor : ISpanProcessor
{
    private readonly SpanMatch? _include;
    private readonly SpanMatch? _exclude;
    private readonly OttlCondition[] _conditions;

    public FilterProcessor(string id, SpanMatch? include, SpanMatch? exclude, IReadOnlyList<OttlCondition>? conditions = null)
    {
        Id = id;
        _include = include;
        _exclude = exclude;
        _conditions = [.. conditions ?? []];
    }

    public string Id { get; }

    public int Process(SpanBatch batch, Span<bool> drop)
    {
        for (var i = 0; i < batch.SpanCount; i++)
        {
            if ((_include is not null && !_include.Matches(batch, i)) || (_exclude is not null && _exclude.Matches(batch, i)) || AnyCondition(batch, i))
            {
                drop[i] = true;
            }
        }

        return 0;
    }

    private bool AnyCondition(SpanBatch batch, int index)
    {
        foreach (var condition in _conditions)
        {
            if (condition.Matches(batch, index))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>One match block: services, span names, span kinds, span attributes, resource attributes; strict or regexp.</summary>
internal sealed class SpanMatch
{
    private readonly Func<string, bool>[] _services;
    private readonly Func<string, bool>[] _names;
    private readonly SpanKind[] _kinds;
    private readonly (string Key, Func<string, bool>? Value)[] _attributes;
    private readonly (string Key, Func<string, bool>? Value)[] _resources;

    public SpanMatch(bool regexp, IReadOnlyList<string> services, IReadOnlyList<string> spanNames, IReadOnlyList<SpanKind> kinds,
        IReadOnlyList<(string Key, string? Value)> attributes, IReadOnlyList<(string Key, string? Value)> resources)
    {
        Func<string, bool> Matcher(string pattern)
        {
            if (!regexp)
            {
                return value => value == pattern;
            }

            var regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            return regex.IsMatch;
        }

        _services = [.. services.Select(Matcher)];
        _names = [.. spanNames.Select(Matcher)];
        _kinds = [.. kinds];
        _attributes = [.. attributes.Select(a => (a.Key, a.Value is null ? null : Matcher(a.Value)))];
        _resources = [.. resources.Select(a => (a.Key, a.Value is null ? null : Matcher(a.Value)))];
    }

    public bool Matches(SpanBatch batch, int index)
    {
        ref readonly var span = ref batch.Spans[index];
        if (_services.Length > 0 && !Any(_services, batch.GetString(batch.ServiceNameOf(span))))
        {
            return false;
        }

        if (_names.Length > 0 && !Any(_names, batch.GetString(span.Name)))
        {
            return false;
        }

        if (_kinds.Length > 0 && Array.IndexOf(_kinds, span.Kind) < 0)
        {
            return false;
        }

        return All(batch, span.Attributes, _attributes) && All(batch, batch.ResourceOf(span).Attributes, _resources);
    }

    private static bool Any(Func<string, bool>[] matchers, string value)
    {
        foreach (var matcher in matchers)
        {
            if (matcher(value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every listed attribute is present (with a value matching, when one is given; compared as text).</summary>
    private static bool All(SpanBatch batch, RowRange range, (string Key, Func<string, bool>? Value)[] wanted)
    {
        foreach (var (key, value) in wanted)
        {
            var found = false;
            foreach (ref readonly var kv in batch.AttributesOf(range))
            {
                if (batch.GetString(kv.Key) == key && (value is null || value(AttributeText.Of(batch, kv.Value))))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }
}
