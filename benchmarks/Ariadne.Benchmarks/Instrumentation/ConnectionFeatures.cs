using System.Collections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace Ariadne.Benchmarks.Instrumentation;

/// <summary>
/// A request's features kept the way Kestrel keeps a connection's: the ones a request through hosting
/// and routing touches are found by comparing types against a fixed list, the rest in a dictionary.
/// A plain <see cref="FeatureCollection"/> makes every such lookup a dictionary probe, which Kestrel
/// does not pay, and charges it to whichever arm of a benchmark looks up more features.
/// </summary>
internal sealed class ConnectionFeatures : IFeatureCollection
{
    private static readonly Type[] Known =
    [
        typeof(IHttpRequestFeature), typeof(IHttpResponseFeature), typeof(IHttpResponseBodyFeature),
        typeof(IEndpointFeature), typeof(IRouteValuesFeature), typeof(IServiceProvidersFeature),
        typeof(IHttpActivityFeature), typeof(IItemsFeature), typeof(IHttpRequestLifetimeFeature),
        typeof(IHttpRequestIdentifierFeature), typeof(IHttpAuthenticationFeature), typeof(IHttpMetricsTagsFeature),
    ];

    private readonly object?[] _known = new object?[Known.Length];
    private readonly FeatureCollection _others = new();
    private int _revision;

    public bool IsReadOnly => false;

    public int Revision => _revision + _others.Revision;

    public object? this[Type key]
    {
        get => IndexOf(key) is var index and >= 0 ? _known[index] : _others[key];
        set
        {
            if (IndexOf(key) is var index and >= 0)
            {
                _known[index] = value;
                _revision++;
            }
            else
            {
                _others[key] = value;
            }
        }
    }

    public TFeature? Get<TFeature>() => (TFeature?)this[typeof(TFeature)];

    public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        for (var i = 0; i < Known.Length; i++)
        {
            if (_known[i] is { } value)
            {
                yield return new KeyValuePair<Type, object>(Known[i], value);
            }
        }

        foreach (var pair in _others)
        {
            yield return pair;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static int IndexOf(Type key)
    {
        var known = Known;
        for (var i = 0; i < known.Length; i++)
        {
            if (ReferenceEquals(known[i], key))
            {
                return i;
            }
        }

        return -1;
    }
}
