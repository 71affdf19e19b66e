using Ariadne.Analysis.Metrics;
using Ariadne.Model;
using BenchmarkDotNet.Attributes;

namespace Ariadne.Benchmarks.Analysis;

/// <summary>
/// Span metrics and the service graph on a 512-span batch shaped like shop traffic: traces of 8 spans
/// over four services (server, client, database, producer and consumer spans, 12 attributes each, one
/// span in twenty failing), in shuffled order. Every invocation gives the spans new trace ids and moves
/// the clock 5 ms, so pairing, orphan tracking and expiry work on ~100,000 spans/s of simulated traffic
/// with their stores at realistic sizes. Spans/s = <see cref="Spans"/> / mean time.
/// <c>dotnet run -c Release --project benchmarks/Ariadne.Benchmarks -- --filter '*SpanMetrics*'</c>.
/// </summary>
[MemoryDiagnoser]
public class SpanMetricsBenchmarks
{
    public const int Spans = 512;
    private const long StepMillis = 5;

    private static readonly string[] Routes = ["/api/cart", "/api/orders/{id}", "/api/catalog/items", "/api/pay"];

    private SpanBatch _batch = new();
    private TraceId[] _traceIds = [];
    private SpanMetrics _spanMetrics = null!;
    private ServiceGraph _serviceGraph = null!;
    private long _now;
    private ulong _iteration;

    [GlobalSetup]
    public void Setup()
    {
        _batch = ShopBatch(Spans, seed: 11);
        _traceIds = new TraceId[Spans];
        for (var i = 0; i < Spans; i++)
        {
            _traceIds[i] = _batch.Spans[i].TraceId;
        }
        _spanMetrics = new SpanMetrics(new SpanMetricsSettings());
        _serviceGraph = new ServiceGraph(new ServiceGraphSettings { MaxItems = 100_000, MaxTrackedSpans = 2_000_000 });
        _now = 1_763_800_000_000;
    }

    [Benchmark(Baseline = true)]
    public void SpanMetricsOnly()
    {
        NextTraffic();
        _spanMetrics.Observe(_batch);
    }

    [Benchmark]
    public void ServiceGraphOnly()
    {
        NextTraffic();
        _serviceGraph.Observe(_batch, _now);
    }

    [Benchmark]
    public void SpanMetricsAndServiceGraph()
    {
        NextTraffic();
        _spanMetrics.Observe(_batch);
        _serviceGraph.Observe(_batch, _now);
    }

    /// <summary>New trace ids (the same shapes) and a later clock, as the next batch of live traffic would bring.</summary>
    private void NextTraffic()
    {
        _iteration++;
        _now += StepMillis;
        var spans = _batch.Spans.Rows;
        for (var i = 0; i < spans.Length; i++)
        {
            spans[i].TraceId = new TraceId(_traceIds[i].High ^ (_iteration << 20), _traceIds[i].Low);
        }
    }

    private static SpanBatch ShopBatch(int spanCount, int seed)
    {
        var random = new Random(seed);
        var batch = new SpanBatch();
        var scopes = new Dictionary<string, int>();
        foreach (var service in new[] { "gateway", "cart", "payments", "orders" })
        {
            var attrs = batch.Attributes.Add(new KeyValue(batch.AddString("service.name"), AnyValue.FromString(batch.AddString(service))));
            batch.Attributes.Add(new KeyValue(batch.AddString("deployment.environment.name"), AnyValue.FromString(batch.AddString("production"))));
            batch.Attributes.Add(new KeyValue(batch.AddString("host.name"), AnyValue.FromString(batch.AddString(service + "-7d9f8b-x2k"))));
            var resource = batch.Resources.Add(new ResourceRow { Attributes = new RowRange(attrs, 3) });
            scopes[service] = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource });
        }

        // (service, kind, parent index within the trace, name, peer attribute)
        (string Service, SpanKind Kind, int Parent, string Name, (string Key, string Value)? Peer)[] shape =
        [
            ("gateway", SpanKind.Server, -1, "GET /api/cart", null),
            ("gateway", SpanKind.Client, 0, "GET", ("server.address", "cart")),
            ("cart", SpanKind.Server, 1, "GET /api/cart", null),
            ("cart", SpanKind.Client, 2, "HGET", ("db.system", "redis")),
            ("cart", SpanKind.Client, 2, "POST", ("server.address", "payments")),
            ("payments", SpanKind.Server, 4, "POST /api/pay", null),
            ("payments", SpanKind.Producer, 5, "payments publish", ("messaging.destination.name", "payments")),
            ("orders", SpanKind.Consumer, 6, "payments process", null),
        ];
        var rows = new List<SpanRow>(spanCount);
        var ids = new SpanId[shape.Length];
        var start = 1_763_800_000_000_000_000UL;
        for (var i = 0; i < spanCount; i++)
        {
            var position = i % shape.Length;
            var traceId = position == 0 ? new TraceId((ulong)random.NextInt64(), (ulong)random.NextInt64()) : rows[^1].TraceId;
            ids[position] = new SpanId((ulong)random.NextInt64() | 1);
            var (service, kind, parent, name, peer) = shape[position];
            var attrs = batch.Attributes.Count;
            batch.Attributes.Add(new KeyValue(batch.AddString("http.request.method"), AnyValue.FromString(batch.AddString("GET"))));
            batch.Attributes.Add(new KeyValue(batch.AddString("http.route"), AnyValue.FromString(batch.AddString(Routes[random.Next(Routes.Length)]))));
            batch.Attributes.Add(new KeyValue(batch.AddString("http.response.status_code"), AnyValue.FromInt(200)));
            batch.Attributes.Add(new KeyValue(batch.AddString("url.scheme"), AnyValue.FromString(batch.AddString("https"))));
            batch.Attributes.Add(new KeyValue(batch.AddString("user.id"), AnyValue.FromString(batch.AddString("u-" + random.Next(100_000)))));
            batch.Attributes.Add(new KeyValue(batch.AddString("network.protocol.version"), AnyValue.FromString(batch.AddString("1.1"))));
            batch.Attributes.Add(new KeyValue(batch.AddString("client.address"), AnyValue.FromString(batch.AddString("10.1.2.3"))));
            batch.Attributes.Add(new KeyValue(batch.AddString("app.cart.items"), AnyValue.FromInt(random.Next(20))));
            batch.Attributes.Add(new KeyValue(batch.AddString("app.region"), AnyValue.FromString(batch.AddString("eu-west-1"))));
            batch.Attributes.Add(new KeyValue(batch.AddString("app.cache.hit"), AnyValue.FromBool(random.Next(2) == 0)));
            batch.Attributes.Add(new KeyValue(batch.AddString("app.ratio"), AnyValue.FromDouble(0.25)));
            var (peerKey, peerValue) = peer ?? ("app.tier", "gold");
            batch.Attributes.Add(new KeyValue(batch.AddString(peerKey), AnyValue.FromString(batch.AddString(peerValue))));
            var spanStart = start + ((ulong)position * 1_000_000);
            rows.Add(new SpanRow
            {
                TraceId = traceId,
                SpanId = ids[position],
                ParentSpanId = parent < 0 ? default : ids[parent],
                StartTimeUnixNano = spanStart,
                EndTimeUnixNano = spanStart + (ulong)random.Next(200_000, 900_000_000),
                ScopeIndex = scopes[service],
                Name = batch.AddString(name),
                Attributes = new RowRange(attrs, 12),
                Kind = kind,
                StatusCode = random.Next(20) == 0 ? StatusCode.Error : StatusCode.Unset,
            });
            start += position == shape.Length - 1 ? 20_000_000UL : 0;
        }

        // Exporters flush spans as they end and services flush separately: any order can arrive.
        var shuffled = rows.ToArray();
        random.Shuffle(shuffled);
        foreach (var row in shuffled)
        {
            batch.Spans.Add(row);
        }

        return batch;
    }
}
