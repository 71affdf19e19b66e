using System.Diagnostics;
using Ariadne.Instrumentation;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Ariadne.Benchmarks.Instrumentation;

/// <summary>
/// What Ariadne.Instrumentation adds per server span over the bare OpenTelemetry SDK. Each arm is a real
/// ASP.NET Core app — hosting, routing to <c>/orders/{id}</c>, the server activity recorded by the SDK —
/// whose server hands it the same request (with a <c>traceparent</c>) without sockets, so what differs is
/// only the tracing: the bare SDK listening to <c>Microsoft.AspNetCore</c> (a span with no attributes)
/// against <c>AddAriadneTracing</c> and <c>UseAriadneTracing</c> (a named span with its HTTP attributes and
/// the strict propagator). Each arm runs in its own process, since ASP.NET Core's attribute switch is
/// process-wide. <c>dotnet run -c Release --project benchmarks/Ariadne.Benchmarks -- --filter '*ServerSpan*'</c>.
/// </summary>
[MemoryDiagnoser]
public class ServerSpanBenchmarks
{
    private static readonly object Port = 8080;
    private static readonly object Ok = 200;

    private const string HostingAttributesSwitch = "Microsoft.AspNetCore.Hosting.SuppressActivityOpenTelemetryData";

    private WebApplication? _app;
    private TracerProvider? _bareProvider;
    private InProcessServer _server = null!;
    private bool _attributesOnly;

    [GlobalSetup(Target = nameof(BareSdk))]
    public void SetupBare() => StartBare();

    /// <summary>The bare SDK with ASP.NET Core's own request attributes switched on: what they cost by themselves.</summary>
    [GlobalSetup(Target = nameof(BareSdkHostingAttributes))]
    public void SetupBareHostingAttributes()
    {
        AppContext.SetSwitch(HostingAttributesSwitch, false);
        StartBare();
    }

    /// <summary>The library's setup (strict propagator, its tracer provider) without the middleware.</summary>
    [GlobalSetup(Target = nameof(SetupOnly))]
    public void SetupSetupOnly() => StartAriadne(middleware: false);

    [GlobalSetup(Target = nameof(WithAriadne))]
    public void SetupAriadne() => StartAriadne(middleware: true);

    /// <summary>The library in an app that switched hosting's request attributes on.</summary>
    [GlobalSetup(Target = nameof(WithAriadneHostingAttributes))]
    public void SetupAriadneHostingAttributes()
    {
        AppContext.SetSwitch(HostingAttributesSwitch, false);
        StartAriadne(middleware: true);
    }

    /// <summary>
    /// The library's setup and, instead of its middleware, one that only adds the same seven attributes as
    /// constants and sets the name: what <see cref="Activity.AddTag(string, object?)"/> costs by itself, the
    /// floor for any middleware that enriches hosting's activity.
    /// </summary>
    [GlobalSetup(Target = nameof(AttributesOnlyFloor))]
    public void SetupAttributesOnlyFloor()
    {
        _attributesOnly = true;
        StartAriadne(middleware: false);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _app?.StopAsync().GetAwaiter().GetResult();
        (_app as IDisposable)?.Dispose();
        _bareProvider?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task BareSdk() => _server.ServeAsync();

    [Benchmark]
    public Task BareSdkHostingAttributes() => _server.ServeAsync();

    [Benchmark]
    public Task SetupOnly() => _server.ServeAsync();

    [Benchmark]
    public Task WithAriadne() => _server.ServeAsync();

    [Benchmark]
    public Task AttributesOnlyFloor() => _server.ServeAsync();

    [Benchmark]
    public Task WithAriadneHostingAttributes() => _server.ServeAsync();

    private void StartBare()
    {
        _bareProvider = Sdk.CreateTracerProviderBuilder()
            .AddSource(AriadneTracingExtensions.AspNetCoreSource)
            .SetSampler(new AlwaysOnSampler())
            .Build();
        Start(configure: null, middleware: false);
    }

    private void StartAriadne(bool middleware) => Start(
        services => services.AddAriadneTracing(o =>
        {
            o.ServiceName = "orders";
            o.ExportOtlp = false;
            o.Sampler = new AlwaysOnSampler();
        }),
        middleware);

    private void Start(Action<IServiceCollection>? configure, bool middleware)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        _server = new InProcessServer();
        builder.Services.AddSingleton<IServer>(_server);
        configure?.Invoke(builder.Services);
        _app = builder.Build();
        if (_attributesOnly)
        {
            _app.Use(static (context, next) =>
            {
                var activity = Activity.Current!;
                activity.AddTag("http.request.method", "GET");
                activity.AddTag("url.path", "/orders/42");
                activity.AddTag("url.scheme", "http");
                activity.AddTag("server.address", "shop.example.com");
                activity.AddTag("server.port", Port);
                var task = next(context);
                activity.AddTag("http.response.status_code", Ok);
                activity.AddTag("http.route", "/orders/{id}");
                activity.DisplayName = "GET /orders/{id}";
                return task;
            });
        }

        if (middleware)
        {
            _app.UseAriadneTracing();
        }

        _app.MapGet("/orders/{id}", static context =>
        {
            context.Response.StatusCode = 200;
            return Task.CompletedTask;
        });
        _app.StartAsync().GetAwaiter().GetResult();
        Check(named: middleware || _attributesOnly);
    }

    /// <summary>Serves one request and fails the run unless it made the span the arm is meant to measure.</summary>
    private void Check(bool named)
    {
        Activity? seen = null;
        using (var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AriadneTracingExtensions.AspNetCoreSource,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
            ActivityStopped = activity => seen = activity,
        })
        {
            ActivitySource.AddActivityListener(listener);
            _server.ServeAsync().GetAwaiter().GetResult();
        }

        if (seen is null || !seen.Recorded || seen.TraceId.ToHexString() != "4bf92f3577b34da6a3ce929d0e0e4736")
        {
            throw new InvalidOperationException("the request made no recorded server span in the inbound trace");
        }

        if (named && (seen.DisplayName != "GET /orders/{id}" || seen.GetTagItem("url.path") as string != "/orders/42"
            || seen.GetTagItem("http.response.status_code") is not 200))
        {
            throw new InvalidOperationException($"the server span is not named and attributed: {seen.DisplayName}");
        }
    }

    /// <summary>
    /// A server that hands hosting one request over and over, its features reused as Kestrel reuses a
    /// connection's: hosting creates the context, starts the activity, runs the pipeline and disposes.
    /// Its features and request headers are found the way Kestrel finds them (<see cref="ConnectionFeatures"/>,
    /// <see cref="RequestHeaders"/>), so a lookup costs what it costs under Kestrel.
    /// </summary>
    private sealed class InProcessServer : IServer
    {
        private readonly HttpRequestFeature _request = new()
        {
            Protocol = "HTTP/1.1",
            Method = "GET",
            Scheme = "http",
            Path = "/orders/42",
            Headers = new RequestHeaders
            {
                ["Host"] = "shop.example.com:8080",
                ["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            },
        };

        private readonly HttpResponseFeature _response = new();
        private readonly ConnectionFeatures _requestFeatures = new();
        private Func<IFeatureCollection, Task> _serve = null!;

        public InProcessServer()
        {
            Features.Set<IServerAddressesFeature>(new ServerAddressesFeature());
            _requestFeatures.Set<IHttpRequestFeature>(_request);
            _requestFeatures.Set<IHttpResponseFeature>(_response);
            _requestFeatures.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task ServeAsync()
        {
            _response.StatusCode = 200;
            _response.Headers.Clear();
            return _serve(_requestFeatures);
        }

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull
        {
            _serve = async features =>
            {
                var context = application.CreateContext(features);
                Exception? failure = null;
                try
                {
                    await application.ProcessRequestAsync(context);
                }
                catch (Exception e)
                {
                    failure = e;
                    throw;
                }
                finally
                {
                    application.DisposeContext(context, failure);
                }
            };
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
