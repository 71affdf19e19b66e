using Ariadne.Model;

namespace Ariadne.Cli.LoadGen;

/// <summary>
/// The "realistic" span profile: several services, 10–30 attributes per span of mixed types with
/// realistic cardinality (methods, routes, status codes, user ids, counters, flags, regions, ratios
/// with two decimals as instrumentation reports them), an event on one span in five, traces of 8
/// spans with random ids and durations. Deterministic for a given seed so runs are comparable.
/// </summary>
internal static class RealisticSpans
{
    private static readonly string[] Services = ["gateway", "auth", "catalog", "cart", "orders", "payments", "notifications"];
    private static readonly string[] Routes = ["/api/cart", "/api/orders/{id}", "/api/catalog/items", "/api/pay", "/login", "/health"];
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE"];
    private static readonly long[] StatusCodes = [200, 200, 200, 201, 204, 400, 404, 500, 503];
    private static readonly string[] Regions = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-south-1", "ap-northeast-1"];

    public static SpanBatch Create(int spanCount, int seed = 42)
    {
        var random = new Random(seed);
        var batch = new SpanBatch();
        var scopes = new int[Services.Length];
        for (var s = 0; s < Services.Length; s++)
        {
            var attrs = batch.Attributes.Reserve(5);
            batch.Attributes[attrs] = new KeyValue(batch.AddString("service.name"), AnyValue.FromString(batch.AddString(Services[s])));
            batch.Attributes[attrs + 1] = new KeyValue(batch.AddString("service.version"), AnyValue.FromString(batch.AddString("1.4." + s)));
            batch.Attributes[attrs + 2] = new KeyValue(batch.AddString("deployment.environment.name"), AnyValue.FromString(batch.AddString("production")));
            batch.Attributes[attrs + 3] = new KeyValue(batch.AddString("host.name"), AnyValue.FromString(batch.AddString($"{Services[s]}-7d9f8b-{s}x2k")));
            batch.Attributes[attrs + 4] = new KeyValue(batch.AddString("telemetry.sdk.language"), AnyValue.FromString(batch.AddString("dotnet")));
            var resource = batch.Resources.Add(new ResourceRow { Attributes = new RowRange(attrs, 5) });
            scopes[s] = batch.Scopes.Add(new ScopeRow { ResourceIndex = resource, Name = batch.AddString("Microsoft.AspNetCore"), Version = batch.AddString("10.0.0") });
        }

        var traceId = default(TraceId);
        var root = default(SpanId);
        var start = 1_763_800_000_000_000_000UL;
        for (var i = 0; i < spanCount; i++)
        {
            if (i % 8 == 0)
            {
                traceId = new TraceId((ulong)random.NextInt64(), (ulong)random.NextInt64());
                root = new SpanId((ulong)random.NextInt64() | 1);
                start += (ulong)random.Next(1_000_000, 50_000_000);
            }

            var spanId = i % 8 == 0 ? root : new SpanId((ulong)random.NextInt64() | 1);
            var method = Methods[random.Next(Methods.Length)];
            var route = Routes[random.Next(Routes.Length)];
            var status = StatusCodes[random.Next(StatusCodes.Length)];
            var attributeCount = random.Next(10, 31);
            var attrs = batch.Attributes.Reserve(attributeCount);
            var a = attrs;
            batch.Attributes[a++] = Kv(batch, "http.request.method", method);
            batch.Attributes[a++] = Kv(batch, "http.route", route);
            batch.Attributes[a++] = new KeyValue(batch.AddString("http.response.status_code"), AnyValue.FromInt(status));
            batch.Attributes[a++] = Kv(batch, "url.scheme", "https");
            batch.Attributes[a++] = Kv(batch, "url.path", route.Replace("{id}", random.Next(100_000).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            batch.Attributes[a++] = Kv(batch, "server.address", "shop.example.com");
            batch.Attributes[a++] = new KeyValue(batch.AddString("server.port"), AnyValue.FromInt(443));
            batch.Attributes[a++] = Kv(batch, "network.protocol.version", "2");
            batch.Attributes[a++] = Kv(batch, "user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36");
            batch.Attributes[a++] = Kv(batch, "enduser.id", "user-" + random.Next(5000).ToString(System.Globalization.CultureInfo.InvariantCulture));
            while (a < attrs + attributeCount)
            {
                var n = a - attrs;
                batch.Attributes[a++] = (n % 4) switch
                {
                    0 => new KeyValue(batch.AddString($"app.counter.{n}"), AnyValue.FromInt(random.Next(1000))),
                    1 => new KeyValue(batch.AddString($"app.flag.{n}"), AnyValue.FromBool(random.Next(2) == 0)),
                    2 => Kv(batch, $"app.region.{n}", Regions[random.Next(Regions.Length)]),
                    _ => new KeyValue(batch.AddString($"app.ratio.{n}"), AnyValue.FromDouble(Math.Round(random.NextDouble(), 2))),
                };
            }

            var events = default(RowRange);
            if (random.Next(5) == 0)
            {
                var eventAttrs = batch.Attributes.Reserve(2);
                batch.Attributes[eventAttrs] = Kv(batch, "exception.type", "System.TimeoutException");
                batch.Attributes[eventAttrs + 1] = Kv(batch, "exception.message", "The operation has timed out after 30000 ms.");
                events = new RowRange(batch.Events.Add(new EventRow { TimeUnixNano = start + 500_000, Name = batch.AddString("exception"), Attributes = new RowRange(eventAttrs, 2) }), 1);
            }

            var duration = (ulong)random.Next(50_000, 200_000_000);
            batch.Spans.Add(new SpanRow
            {
                TraceId = traceId,
                SpanId = spanId,
                ParentSpanId = i % 8 == 0 ? default : root,
                Name = batch.AddString($"{method} {route}"),
                Kind = i % 8 == 0 ? SpanKind.Server : SpanKind.Client,
                ScopeIndex = scopes[random.Next(scopes.Length)],
                StartTimeUnixNano = start + (ulong)(i % 8 * 1000),
                EndTimeUnixNano = start + (ulong)(i % 8 * 1000) + duration,
                Attributes = new RowRange(attrs, attributeCount),
                Events = events,
                StatusCode = status >= 500 ? StatusCode.Error : StatusCode.Unset,
                Flags = 1,
            });
        }

        return batch;
    }

    private static KeyValue Kv(SpanBatch batch, string key, string value) => new(batch.AddString(key), AnyValue.FromString(batch.AddString(value)));
}
