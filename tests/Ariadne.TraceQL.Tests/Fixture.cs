using Ariadne.Model;

namespace Ariadne.TraceQL.Tests;

/// <summary>
/// Four traces the corpus and the evaluation tests run against (letters name them):
/// A: gateway GET /checkout → POST /pay (client, error) → payments charge (server, error, event) → db query;
///    and a cache get child of the root.
/// B: frontend GET / → catalog list items (link to A) and catalog db query (mysql).
/// C: worker process job (consumer, 2 s, staging) with three steps, one failing with "timeout".
/// D: orders late span whose parent never arrived.
/// </summary>
internal static class Fixture
{
    public const ulong Base = 1_700_000_000_000_000_000;
    public const ulong Ms = 1_000_000;

    public static readonly TraceId A = new(0xA, 0xA);
    public static readonly TraceId B = new(0xB, 0xB);
    public static readonly TraceId C = new(0xC, 0xC);
    public static readonly TraceId D = new(0xD, 0xD);

    public static readonly IReadOnlyDictionary<TraceId, string> Letters = new Dictionary<TraceId, string> { [A] = "A", [B] = "B", [C] = "C", [D] = "D" };

    public static SpanBatch Create()
    {
        var b = new Builder();
        var gateway = b.Resource("gateway", ("deployment.environment", "production"), ("host.name", "gw-1"));
        var payments = b.Resource("payments", ("deployment.environment", "production"));
        var frontend = b.Resource("frontend", ("deployment.environment", "production"));
        var catalog = b.Resource("catalog", ("deployment.environment", "production"));
        var worker = b.Resource("worker", ("deployment.environment", "staging"), ("host.name", "wk 7"));
        var orders = b.Resource("orders");

        b.Span(A, 0xA1, 0, gateway, "GET /checkout", SpanKind.Server, StatusCode.Unset, 0, 500, ("http.method", "GET"), ("http.status_code", 200L), ("my attr", "spaced"));
        b.Span(A, 0xA2, 0xA1, gateway, "POST /pay", SpanKind.Client, StatusCode.Error, 10, 300, ("http.method", "POST"), ("http.status_code", 502L));
        b.Span(A, 0xA3, 0xA2, payments, "charge", SpanKind.Server, StatusCode.Error, 20, 250, ("amount", 12.5), ("retry", true));
        b.Event("exception", 30, ("exception.message", "card declined"));
        b.Span(A, 0xA4, 0xA3, payments, "db query", SpanKind.Client, StatusCode.Unset, 30, 50, ("db.system", "postgresql"), ("db.statement", "SELECT 1"));
        b.Span(A, 0xA5, 0xA1, gateway, "cache get", SpanKind.Internal, StatusCode.Unset, 5, 5, ("cache.hit", true));

        b.Span(B, 0xB1, 0, frontend, "GET /", SpanKind.Server, StatusCode.Unset, 1000, 100, ("http.method", "GET"), ("http.status_code", 200L));
        b.Span(B, 0xB2, 0xB1, catalog, "list items", SpanKind.Server, StatusCode.Ok, 1010, 80, ("items", 42L));
        b.Link(A, 0xA1, ("link.reason", "follows"));
        b.Span(B, 0xB3, 0xB1, catalog, "db query", SpanKind.Client, StatusCode.Unset, 1020, 30, ("db.system", "mysql"));

        b.Span(C, 0xC1, 0, worker, "process job", SpanKind.Consumer, StatusCode.Ok, 2000, 2000, ("job.id", 7L));
        b.Span(C, 0xC2, 0xC1, worker, "step", SpanKind.Internal, StatusCode.Unset, 2100, 100, ("step", 1L));
        b.Span(C, 0xC3, 0xC1, worker, "step", SpanKind.Internal, StatusCode.Error, 2200, 100, ("step", 2L));
        b.StatusMessage("timeout");
        b.Span(C, 0xC4, 0xC1, worker, "step", SpanKind.Internal, StatusCode.Unset, 2300, 100, ("step", 3L));

        b.Span(D, 0xD1, 0xDEAD, orders, "late span", SpanKind.Producer, StatusCode.Unset, 5000, 10, ("messaging.system", "kafka"));
        return b.Batch;
    }

    private sealed class Builder
    {
        private int _lastSpan = -1;

        public SpanBatch Batch { get; } = new();

        public int Resource(string service, params (string Key, string Value)[] attributes)
        {
            var start = Batch.Attributes.Add(new KeyValue(Batch.AddString("service.name"), AnyValue.FromString(Batch.AddString(service))));
            foreach (var (key, value) in attributes)
            {
                Batch.Attributes.Add(new KeyValue(Batch.AddString(key), AnyValue.FromString(Batch.AddString(value))));
            }

            var resource = Batch.Resources.Add(new ResourceRow { Attributes = new RowRange(start, attributes.Length + 1) });
            var scopeAttrs = Batch.Attributes.Add(new KeyValue(Batch.AddString("lib.flavour"), AnyValue.FromString(Batch.AddString("vanilla"))));
            return Batch.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = Batch.AddString("lib-" + service), Version = Batch.AddString("1.2.3"), Attributes = new RowRange(scopeAttrs, 1) });
        }

        public void Span(TraceId trace, ulong id, ulong parent, int scope, string name, SpanKind kind, StatusCode status, ulong startMs, ulong durationMs, params (string Key, object Value)[] attributes)
        {
            var start = Batch.Attributes.Count;
            foreach (var (key, value) in attributes)
            {
                Batch.Attributes.Add(new KeyValue(Batch.AddString(key), Value(value)));
            }

            _lastSpan = Batch.Spans.Add(new SpanRow
            {
                TraceId = trace,
                SpanId = new SpanId(id),
                ParentSpanId = new SpanId(parent),
                ScopeIndex = scope,
                Name = Batch.AddString(name),
                Kind = kind,
                StatusCode = status,
                StartTimeUnixNano = Base + (startMs * Ms),
                EndTimeUnixNano = Base + ((startMs + durationMs) * Ms),
                Attributes = new RowRange(start, attributes.Length),
            });
        }

        public void StatusMessage(string message) => Batch.Spans[_lastSpan].StatusMessage = Batch.AddString(message);

        public void Event(string name, ulong atMs, params (string Key, object Value)[] attributes)
        {
            var start = Batch.Attributes.Count;
            foreach (var (key, value) in attributes)
            {
                Batch.Attributes.Add(new KeyValue(Batch.AddString(key), Value(value)));
            }

            var e = Batch.Events.Add(new EventRow { Name = Batch.AddString(name), TimeUnixNano = Base + (atMs * Ms), Attributes = new RowRange(start, attributes.Length) });
            Batch.Spans[_lastSpan].Events = new RowRange(e, 1);
        }

        public void Link(TraceId trace, ulong span, params (string Key, object Value)[] attributes)
        {
            var start = Batch.Attributes.Count;
            foreach (var (key, value) in attributes)
            {
                Batch.Attributes.Add(new KeyValue(Batch.AddString(key), Value(value)));
            }

            var l = Batch.Links.Add(new LinkRow { TraceId = trace, SpanId = new SpanId(span), Attributes = new RowRange(start, attributes.Length) });
            Batch.Spans[_lastSpan].Links = new RowRange(l, 1);
        }

        private AnyValue Value(object value) => value switch
        {
            string s => AnyValue.FromString(Batch.AddString(s)),
            long l => AnyValue.FromInt(l),
            double d => AnyValue.FromDouble(d),
            bool b => AnyValue.FromBool(b),
            _ => throw new ArgumentException("unsupported attribute type", nameof(value)),
        };
    }
}
