using System.Diagnostics;
using Ariadne.Instrumentation;
using Ariadne.Instrumentation.Propagation;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Ariadne.Benchmarks.Instrumentation;

/// <summary>
/// What Ariadne.Instrumentation adds per server span over the bare OpenTelemetry SDK: the same request
/// (a traceparent to extract, a server activity started and stopped, recorded by the SDK) through a
/// pipeline without and with <c>UseAriadneTracing</c> and the strict propagator.
/// <c>dotnet run -c Release --project benchmarks/Ariadne.Benchmarks -- --filter '*ServerSpan*'</c>.
/// </summary>
[MemoryDiagnoser]
public class ServerSpanBenchmarks
{
    private static readonly ActivitySource Source = new(AriadneTracingExtensions.AspNetCoreSource);
    private readonly DistributedContextPropagator _legacy = DistributedContextPropagator.CreateDefaultPropagator();
    private readonly AriadnePropagator _strict = new();
    private TracerProvider? _provider;
    private RequestDelegate _bare = null!;
    private RequestDelegate _ariadne = null!;
    private DefaultHttpContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        _provider = Sdk.CreateTracerProviderBuilder().AddSource(AriadneTracingExtensions.AspNetCoreSource).SetSampler(new AlwaysOnSampler()).Build();
        var services = new ServiceCollection().AddSingleton(new AriadneTracingOptions()).BuildServiceProvider();
        _bare = new ApplicationBuilder(services).Build();
        var app = new ApplicationBuilder(services);
        app.UseAriadneTracing();
        app.Run(context =>
        {
            context.Response.StatusCode = 200;
            return Task.CompletedTask;
        });
        _ariadne = app.Build();
        _context = new DefaultHttpContext();
        _context.Request.Method = "GET";
        _context.Request.Scheme = "http";
        _context.Request.Host = new HostString("shop.example.com", 8080);
        _context.Request.Path = "/orders/42";
        _context.Request.Headers["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    }

    [GlobalCleanup]
    public void Cleanup() => _provider?.Dispose();

    [Benchmark(Baseline = true)]
    public Task BareSdk() => Serve(_legacy, _bare);

    [Benchmark]
    public Task WithAriadne() => Serve(_strict, _ariadne);

    /// <summary>The strict propagator alone, without the middleware: which part costs what.</summary>
    [Benchmark]
    public Task StrictPropagatorOnly() => Serve(_strict, _bare);

    /// <summary>As ASP.NET Core's hosting does: extract the parent, start the server activity, run the pipeline, stop.</summary>
    private async Task Serve(DistributedContextPropagator propagator, RequestDelegate pipeline)
    {
        propagator.ExtractTraceIdAndState(_context.Request.Headers, static (object? carrier, string name, out string? value, out IEnumerable<string>? values) =>
        {
            values = null;
            value = ((IHeaderDictionary)carrier!)[name].FirstOrDefault();
        }, out var traceParent, out var traceState);
        ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var parent);
        using var activity = Source.StartActivity("Microsoft.AspNetCore.Hosting.HttpRequestIn", ActivityKind.Server, parent);
        await pipeline(_context);
    }
}
