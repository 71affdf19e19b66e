using Ariadne.Analysis.Traces;
using Ariadne.Model;

namespace Ariadne.Analysis.Tests.Traces;

/// <summary>
/// Builds one trace by hand: span ids are small numbers, times are milliseconds after a fixed
/// instant, and each (service, host) pair gets its own resource.
/// </summary>
internal sealed class TraceBuilder
{
    public const ulong Base = 1_700_000_000_000_000_000;
    public const ulong Ms = 1_000_000;

    private readonly Dictionary<(string Service, string Host), int> _scopes = new();

    public TraceBuilder(ulong traceLow = 0xABC) => TraceId = new TraceId(0x1234, traceLow);

    public TraceId TraceId { get; }

    public SpanBatch Batch { get; } = new();

    public static ulong At(double ms) => Base + (ulong)(ms * Ms);

    public TraceBuilder Span(ulong id, ulong parent, string service, string name, double startMs, double endMs, bool error = false, string host = "")
    {
        var name8 = Batch.AddString(name);
        Batch.Spans.Add(new SpanRow
        {
            TraceId = TraceId,
            SpanId = new SpanId(id),
            ParentSpanId = new SpanId(parent),
            StartTimeUnixNano = At(startMs),
            EndTimeUnixNano = At(endMs),
            ScopeIndex = Scope(service, host),
            Name = name8,
            StatusCode = error ? StatusCode.Error : StatusCode.Unset,
        });
        return this;
    }

    public SpanTree Tree() => SpanTree.Build(Batch);

    /// <summary>The row index of the span with this id.</summary>
    public int Index(ulong id)
    {
        var rows = Batch.Spans.Rows;
        for (var i = 0; i < rows.Length; i++)
        {
            if (rows[i].SpanId.Value == id)
            {
                return i;
            }
        }

        throw new ArgumentException($"no span {id}", nameof(id));
    }

    private int Scope(string service, string host)
    {
        if (_scopes.TryGetValue((service, host), out var scope))
        {
            return scope;
        }

        var start = Batch.Attributes.Count;
        if (service.Length > 0)
        {
            Batch.Attributes.Add(new KeyValue(Batch.AddString("service.name"), AnyValue.FromString(Batch.AddString(service))));
        }

        if (host.Length > 0)
        {
            Batch.Attributes.Add(new KeyValue(Batch.AddString("host.name"), AnyValue.FromString(Batch.AddString(host))));
        }

        var resource = Batch.Resources.Add(new ResourceRow { Attributes = new RowRange(start, Batch.Attributes.Count - start) });
        scope = Batch.Scopes.Add(new ScopeRow { ResourceIndex = resource });
        _scopes.Add((service, host), scope);
        return scope;
    }
}
