using System.Collections.Concurrent;
using System.Diagnostics;
using Ariadne.Instrumentation.Propagation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Ariadne.Instrumentation.Tests;

/// <summary>
/// A real ASP.NET Core app on loopback set up with AddAriadneTracing / UseAriadneTracing, called over
/// real HTTP: what its server and client spans look like, and how inbound context is trusted.
/// (One class, run alone: the propagator HttpClient uses and ASP.NET Core's attribute switch are
/// process-wide, so these tests must not run beside each other or beside other apps.)
/// </summary>
[Collection("propagator")]
public sealed class ServerTracingTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ParentId = "00f067aa0ba902b7";

    private sealed class Collector : BaseProcessor<Activity>
    {
        public ConcurrentQueue<Activity> Ended { get; } = new();

        public override void OnEnd(Activity data) => Ended.Enqueue(data);
    }

    private sealed class App : IAsyncDisposable
    {
        private readonly WebApplication _app;

        public App(WebApplication app, Collector collector, Uri address)
        {
            _app = app;
            Collector = collector;
            Address = address;
        }

        public Collector Collector { get; }

        public Uri Address { get; }

        /// <summary>A client that sends only the headers a test gives it (no context of its own, though this process traces HttpClient).</summary>
        public HttpClient Client { get; } = new(new SocketsHttpHandler { ActivityHeadersPropagator = null });

        /// <summary>The server span of the request whose url.path is <paramref name="path"/> (waits for it to end).</summary>
        public async Task<Activity> ServerSpanAsync(string path)
        {
            for (var i = 0; i < 100; i++)
            {
                var span = Collector.Ended.FirstOrDefault(a => a.Kind == ActivityKind.Server && (string?)a.GetTagItem("url.path") == path);
                if (span is not null)
                {
                    return span;
                }

                await Task.Delay(20);
            }

            throw new InvalidOperationException($"no server span for {path}");
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private static async Task<App> StartAsync(Action<AriadneTracingOptions>? configure = null, Action<WebApplication>? map = null)
    {
        var collector = new Collector();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();

        // Kestrel picks a free port itself, so no other test can take it between the choice and the bind.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var port = 0;
        builder.Services.AddAriadneTracing(o =>
        {
            o.ServiceName = "orders";
            o.ExportOtlp = false;
            o.ConfigureTracing = t => t.AddProcessor(collector);
            configure?.Invoke(o);
        });
        var app = builder.Build();
        app.UseAriadneTracing();
        app.MapGet("/orders/{id}", (string id) => Results.Ok(id));
        app.MapGet("/unavailable", () => Results.StatusCode(503));
        app.MapGet("/boom", string () => throw new InvalidOperationException("kaboom"));
        app.MapGet("/echo", (HttpContext context) => Results.Ok(context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
        app.MapGet("/call", async () =>
        {
            using var client = new HttpClient();
            return Results.Text(await client.GetStringAsync(new Uri($"http://127.0.0.1:{port}/echo")), "application/json");
        });
        map?.Invoke(app);
        await app.StartAsync();
        port = new Uri(app.Urls.Single()).Port;
        return new App(app, collector, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>Waits until the server spans of every path in <paramref name="paths"/> have ended and returns them by path.</summary>
    private static async Task<Dictionary<string, Activity>> ServerSpansAsync(App app, IReadOnlyCollection<string> paths)
    {
        for (var i = 0; i < 250; i++)
        {
            var found = new Dictionary<string, Activity>(StringComparer.Ordinal);
            foreach (var span in app.Collector.Ended)
            {
                if (span.Kind == ActivityKind.Server && span.GetTagItem("url.path") is string path && paths.Contains(path))
                {
                    found[path] = span;
                }
            }

            if (found.Count == paths.Count)
            {
                return found;
            }

            await Task.Delay(20);
        }

        throw new InvalidOperationException("not every request made a server span");
    }

    private static async Task<HttpResponseMessage> GetAsync(App app, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.Address, path));
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await app.Client.SendAsync(request);
    }

    /// <summary>Records the attributes a sampler is shown for each server span it decides on.</summary>
    private sealed class RecordingSampler : Sampler
    {
        public ConcurrentQueue<Dictionary<string, object?>> Seen { get; } = new();

        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
        {
            if (samplingParameters.Kind == ActivityKind.Server)
            {
                var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var tag in samplingParameters.Tags ?? [])
                {
                    tags[tag.Key] = tag.Value;
                }

                Seen.Enqueue(tags);
            }

            return new SamplingResult(SamplingDecision.RecordAndSample);
        }
    }

    [Fact]
    public async Task AppThatTurnsOnHostingAttributes_SamplerSeesThem_AndNoneIsRepeated()
    {
        // Process-wide, and read when a host starts: this class runs alone (see its collection).
        const string Switch = "Microsoft.AspNetCore.Hosting.SuppressActivityOpenTelemetryData";
        AppContext.SetSwitch(Switch, false);
        try
        {
            var sampler = new RecordingSampler();
            await using var app = await StartAsync(o => o.Sampler = sampler);
            (await GetAsync(app, "/orders/7")).Dispose();
            var span = await app.ServerSpanAsync("/orders/7");

            var seen = Assert.Single(sampler.Seen, t => t.TryGetValue("url.path", out var path) && (string?)path == "/orders/7");
            Assert.Equal("GET", seen["http.request.method"]);
            Assert.Equal("http", seen["url.scheme"]);
            Assert.Equal("127.0.0.1", seen["server.address"]);
            Assert.Equal(app.Address.Port, seen["server.port"]);

            Assert.Equal("GET /orders/{id}", span.DisplayName);
            foreach (var key in new[] { "http.request.method", "url.path", "url.scheme", "server.address", "server.port", "http.route", "http.response.status_code" })
            {
                Assert.Single(span.TagObjects, t => t.Key == key);
            }
        }
        finally
        {
            AppContext.SetSwitch(Switch, true);
        }
    }

    [Fact]
    public async Task ServerSpans_AreNamedByRoute_CarryHttpAttributes_AndErrors()
    {
        await using var app = await StartAsync();
        (await GetAsync(app, "/orders/42")).Dispose();
        (await GetAsync(app, "/unavailable")).Dispose();
        (await GetAsync(app, "/boom")).Dispose();

        var ok = await app.ServerSpanAsync("/orders/42");
        Assert.Equal("GET /orders/{id}", ok.DisplayName);
        Assert.Equal("/orders/{id}", ok.GetTagItem("http.route"));
        Assert.Equal("GET", ok.GetTagItem("http.request.method"));
        Assert.Equal(200, ok.GetTagItem("http.response.status_code"));
        Assert.Equal("http", ok.GetTagItem("url.scheme"));
        Assert.Equal("127.0.0.1", ok.GetTagItem("server.address"));
        Assert.Equal(ActivityStatusCode.Unset, ok.Status);

        Assert.Equal("/orders/42", ok.GetTagItem("url.path"));
        Assert.Equal(app.Address.Port, ok.GetTagItem("server.port"));

        // Hosting and the middleware each give some of these: every one must be there exactly once.
        foreach (var key in new[] { "http.request.method", "url.path", "url.scheme", "server.address", "server.port", "http.route", "http.response.status_code" })
        {
            Assert.Single(ok.TagObjects, t => t.Key == key);
        }

        var unavailable = await app.ServerSpanAsync("/unavailable");
        Assert.Equal(503, unavailable.GetTagItem("http.response.status_code"));
        Assert.Equal(ActivityStatusCode.Error, unavailable.Status);

        var boom = await app.ServerSpanAsync("/boom");
        Assert.Equal(ActivityStatusCode.Error, boom.Status);
        Assert.Equal("GET /boom", boom.DisplayName);
        var exception = Assert.Single(boom.Events, e => e.Name == "exception");
        Assert.Contains(exception.Tags, t => t.Key == "exception.message" && (string?)t.Value == "kaboom");
    }

    [Fact]
    public async Task ManyEndpointsAndMethods_EverySpanIsNamedByItsOwnRouteAndMethod()
    {
        // More endpoints than the middleware's table of names has slots, so some share one: each
        // request must still get its own endpoint's name, in whatever order they come.
        const int Endpoints = 1_500;
        await using var app = await StartAsync(map: a =>
        {
            for (var i = 0; i < Endpoints; i++)
            {
                a.MapGet($"/r{i}/{{id}}", () => "ok");
            }

            a.MapMethods("/items/{id}", ["GET", "POST", "DELETE"], () => "ok");
        });

        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        var methods = new[] { HttpMethod.Get, HttpMethod.Post, HttpMethod.Delete };
        for (var pass = 0; pass < 2; pass++)
        {
            for (var n = 0; n < Endpoints; n++)
            {
                var i = pass == 0 ? n : Endpoints - 1 - n;
                var path = $"/r{i}/{pass}";
                (await GetAsync(app, path)).Dispose();
                expected[path] = $"GET /r{i}/{{id}}";
            }

            for (var n = 0; n < 9; n++)
            {
                var method = methods[(n + pass) % methods.Length];
                var path = $"/items/{pass}-{n}";
                using var request = new HttpRequestMessage(method, new Uri(app.Address, path));
                (await app.Client.SendAsync(request)).Dispose();
                expected[path] = $"{method.Method} /items/{{id}}";
            }
        }

        var spans = await ServerSpansAsync(app, expected.Keys);
        foreach (var (path, name) in expected)
        {
            Assert.Equal(name, spans[path].DisplayName);
            Assert.Equal(name[(name.IndexOf(' ') + 1)..], spans[path].GetTagItem("http.route"));
        }
    }

    [Fact]
    public async Task ServerAddressAndPort_FollowEachRequestsHostHeader()
    {
        await using var app = await StartAsync();
        var hosts = new (string Header, string Address, int? Port)[]
        {
            ("shop.example:8443", "shop.example", 8443),
            ("api.example", "api.example", null),
            ("shop.example:8443", "shop.example", 8443),
            ("[::1]:9000", "[::1]", 9000),
            ("shop.example:8444", "shop.example", 8444),
        };
        for (var i = 0; i < hosts.Length; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.Address, $"/orders/h{i}"));
            request.Headers.Host = hosts[i].Header;
            (await app.Client.SendAsync(request)).Dispose();
        }

        for (var i = 0; i < hosts.Length; i++)
        {
            var span = await app.ServerSpanAsync($"/orders/h{i}");
            Assert.Equal(hosts[i].Address, span.GetTagItem("server.address"));
            Assert.Equal(hosts[i].Port, (int?)span.GetTagItem("server.port"));
        }
    }

    [Fact]
    public async Task InboundContext_ValidIsContinued_InvalidStartsANewTrace_B3IsUnderstood()
    {
        await using var app = await StartAsync();
        (await GetAsync(app, "/orders/1", ("traceparent", $"00-{TraceId}-{ParentId}-01"), ("tracestate", "congo=t61rcWkgMzE"))).Dispose();
        (await GetAsync(app, "/orders/2", ("traceparent", $"00-{TraceId.ToUpperInvariant()}-{ParentId}-01"), ("tracestate", "congo=t61rcWkgMzE"))).Dispose();
        (await GetAsync(app, "/orders/3", ("traceparent", $"00-{TraceId}-{ParentId}-01"), ("tracestate", "Bad=1"))).Dispose();
        (await GetAsync(app, "/orders/4", ("b3", $"{TraceId}-{ParentId}-1"))).Dispose();
        (await GetAsync(app, "/orders/5", ("traceparent", $"00-{TraceId}-{ParentId}-01"), ("traceparent", $"00-{TraceId}-{ParentId}-00"))).Dispose();

        var continued = await app.ServerSpanAsync("/orders/1");
        Assert.Equal(TraceId, continued.TraceId.ToHexString());
        Assert.Equal(ParentId, continued.ParentSpanId.ToHexString());
        Assert.Equal("congo=t61rcWkgMzE", continued.TraceStateString);

        var invalid = await app.ServerSpanAsync("/orders/2");
        Assert.NotEqual(TraceId, invalid.TraceId.ToHexString());
        Assert.Equal(default, invalid.ParentSpanId);
        Assert.Null(invalid.TraceStateString);

        var badState = await app.ServerSpanAsync("/orders/3");
        Assert.Equal(TraceId, badState.TraceId.ToHexString());
        Assert.Null(badState.TraceStateString);

        var b3 = await app.ServerSpanAsync("/orders/4");
        Assert.Equal(TraceId, b3.TraceId.ToHexString());
        Assert.Equal(ParentId, b3.ParentSpanId.ToHexString());

        var twoHeaders = await app.ServerSpanAsync("/orders/5");
        Assert.NotEqual(TraceId, twoHeaders.TraceId.ToHexString());
    }

    [Fact]
    public async Task UntrustedBoundary_AlwaysANewTrace_LinkedToTheInboundContext_WithTraceResponse()
    {
        await using var app = await StartAsync(o =>
        {
            o.EdgeTrust = EdgeTrust.Untrusted;
            o.TraceResponse = true;
        });
        using var response = await GetAsync(app, "/orders/7", ("traceparent", $"00-{TraceId}-{ParentId}-01"), ("baggage", "user.id=42"));

        var span = await app.ServerSpanAsync("/orders/7");
        Assert.NotEqual(TraceId, span.TraceId.ToHexString());
        Assert.Equal(default, span.ParentSpanId);
        var link = Assert.Single(span.Links);
        Assert.Equal(TraceId, link.Context.TraceId.ToHexString());
        Assert.Equal(ParentId, link.Context.SpanId.ToHexString());
        Assert.Empty(span.Baggage);
        Assert.Equal(TraceContext.FormatTraceParent(span.Context), response.Headers.GetValues("traceresponse").Single());
    }

    [Fact]
    public async Task SampledOutRequest_GetsNoAttributesOrName_ButStillItsTraceResponse()
    {
        // A listener of its own sees the span the provider dropped (it asks for no more than the
        // provider's drop gives, so it changes no decision).
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AriadneTracingExtensions.AspNetCoreSource,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
            ActivityStopped = activity =>
            {
                if (activity.TraceId.ToHexString() == TraceId)
                {
                    stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = await StartAsync(o =>
        {
            o.Sampler = new AlwaysOffSampler();
            o.TraceResponse = true;
        });

        using var response = await GetAsync(app, "/orders/8", ("traceparent", $"00-{TraceId}-{ParentId}-01"));
        Activity? span = null;
        for (var i = 0; i < 100 && !stopped.TryPeek(out span); i++)
        {
            await Task.Delay(20);
        }

        Assert.NotNull(span);
        Assert.False(span.Recorded);
        Assert.Empty(span.TagObjects);
        Assert.NotEqual("GET /orders/{id}", span.DisplayName);
        Assert.Equal(TraceContext.FormatTraceParent(span.Context), response.Headers.GetValues("traceresponse").Single());
        Assert.EndsWith("-00", response.Headers.GetValues("traceresponse").Single());
        Assert.Empty(app.Collector.Ended);
    }

    [Fact]
    public async Task OutgoingCalls_CarryW3CAndB3_AndOnlyAllowedBaggage()
    {
        await using var app = await StartAsync(o =>
        {
            o.InjectB3 = true;
            o.BaggageAllowlist = new HashSet<string> { "tenant" };
        });
        using var response = await GetAsync(app, "/call", ("traceparent", $"00-{TraceId}-{ParentId}-01"), ("baggage", "tenant=acme,secret=1"));
        var echoed = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var call = await app.ServerSpanAsync("/call");
        var client = app.Collector.Ended.Single(a => a.Kind == ActivityKind.Client && a.TraceId == call.TraceId);
        Assert.Equal(TraceId, call.TraceId.ToHexString());
        Assert.Equal($"00-{TraceId}-{client.SpanId.ToHexString()}-01", echoed.GetProperty("traceparent").GetString());
        Assert.Equal($"{TraceId}-{client.SpanId.ToHexString()}-1", echoed.GetProperty("b3").GetString());
        Assert.Equal(TraceId, echoed.GetProperty("x-b3-traceid").GetString());
        Assert.Equal("tenant=acme", echoed.GetProperty("baggage").GetString());
    }
}

/// <summary>The tests that start apps using the process-wide propagator: one at a time, after every other collection.</summary>
[CollectionDefinition("propagator", DisableParallelization = true)]
public sealed class PropagatorCollection;
