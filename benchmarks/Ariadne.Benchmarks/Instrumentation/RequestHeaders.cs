using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Ariadne.Benchmarks.Instrumentation;

/// <summary>
/// Request headers kept the way Kestrel keeps them: the well-known ones that hosting, propagators and
/// tracing read on every request (<c>Host</c> and the trace-context headers) in slots found by length
/// and name, any other in a dictionary. A plain <see cref="HeaderDictionary"/> hashes the name,
/// ignoring case, for every lookup.
/// </summary>
internal sealed class RequestHeaders : IHeaderDictionary
{
    private static readonly string[] Known = ["Host", "traceparent", "tracestate", "baggage", "Request-Id", "Correlation-Context"];

    private readonly StringValues[] _known = new StringValues[Known.Length];
    private readonly HeaderDictionary _others = new();

    public StringValues this[string key]
    {
        get => IndexOf(key) is var index and >= 0 ? _known[index] : _others[key];
        set
        {
            if (IndexOf(key) is var index and >= 0)
            {
                _known[index] = value;
            }
            else
            {
                _others[key] = value;
            }
        }
    }

    public long? ContentLength
    {
        get => _others.ContentLength;
        set => _others.ContentLength = value;
    }

    public ICollection<string> Keys => [.. this.Select(pair => pair.Key)];

    public ICollection<StringValues> Values => [.. this.Select(pair => pair.Value)];

    public int Count
    {
        get
        {
            var count = _others.Count;
            foreach (var value in _known)
            {
                count += value.Count > 0 ? 1 : 0;
            }

            return count;
        }
    }

    public bool IsReadOnly => false;

    public void Add(string key, StringValues value)
    {
        if (ContainsKey(key))
        {
            throw new ArgumentException($"header {key} is already present", nameof(key));
        }

        this[key] = value;
    }

    public void Add(KeyValuePair<string, StringValues> item) => Add(item.Key, item.Value);

    public void Clear()
    {
        Array.Clear(_known);
        _others.Clear();
    }

    public bool Contains(KeyValuePair<string, StringValues> item) => TryGetValue(item.Key, out var value) && value == item.Value;

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public void CopyTo(KeyValuePair<string, StringValues>[] array, int arrayIndex)
    {
        foreach (var pair in this)
        {
            array[arrayIndex++] = pair;
        }
    }

    public bool Remove(string key)
    {
        if (IndexOf(key) is var index and >= 0)
        {
            var had = _known[index].Count > 0;
            _known[index] = StringValues.Empty;
            return had;
        }

        return _others.Remove(key);
    }

    public bool Remove(KeyValuePair<string, StringValues> item) => Contains(item) && Remove(item.Key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out StringValues value)
    {
        value = this[key];
        return value.Count > 0;
    }

    public IEnumerator<KeyValuePair<string, StringValues>> GetEnumerator()
    {
        for (var i = 0; i < Known.Length; i++)
        {
            if (_known[i].Count > 0)
            {
                yield return new KeyValuePair<string, StringValues>(Known[i], _known[i]);
            }
        }

        foreach (var pair in _others)
        {
            yield return pair;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static int IndexOf(string key)
    {
        var known = Known;
        for (var i = 0; i < known.Length; i++)
        {
            var name = known[i];
            if (ReferenceEquals(name, key) || (name.Length == key.Length && string.Equals(name, key, StringComparison.OrdinalIgnoreCase)))
            {
                return i;
            }
        }

        return -1;
    }
}
