using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Ariadne.Instrumentation.Propagation;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ariadne.Instrumentation;

/// <summary>One call to trace an ASP.NET Core app or a worker.</summary>
public static class AriadneTracingExtensions
{
    /// <summary>The activity source ASP.NET Core's server spans come from.</summary>
    public const string AspNetCoreSource = "Microsoft.AspNetCore";

    /// <summary>ASP.NET Core's switch that, when true or unset, keeps request attributes off its server activity.</summary>
    internal const string HostingTagsSwitch = "Microsoft.AspNetCore.Hosting.SuppressActivityOpenTelemetryData";

    /// <summary>The activity source HttpClient's client spans come from.</summary>
    public const string HttpClientSource = "System.Net.Http";

    /// <summary>
    /// Sets up tracing: the resource, ASP.NET Core's and HttpClient's activity sources plus the app's,
    /// the sampler, batch export over OTLP (honouring the standard <c>OTEL_*</c> variables), strict W3C and
    /// B3 propagation, and a flush when the host stops. In an ASP.NET Core app, also call
    /// <see cref="UseAriadneTracing"/> so server spans are named and carry their HTTP attributes.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Options; unset ones come from the environment.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddAriadneTracing(this IServiceCollection services, Action<AriadneTracingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new AriadneTracingOptions();
        configure?.Invoke(options);
        var propagator = new AriadnePropagator
        {
            InjectB3 = options.InjectB3,
            BaggageAllowlist = options.BaggageAllowlist is null ? null : new HashSet<string>(options.BaggageAllowlist, StringComparer.Ordinal),
            MaxBaggageEntries = options.MaxBaggageEntries,
            Untrusted = options.EdgeTrust == EdgeTrust.Untrusted,
        };

        // ASP.NET Core reads the propagator from the container; HttpClient from the static property.
        DistributedContextPropagator.Current = propagator;
        services.Replace(ServiceDescriptor.Singleton<DistributedContextPropagator>(propagator));
        services.AddSingleton(options);
        services.AddSingleton(_ => BuildProvider(options));
        services.AddHostedService<TracerProviderLifetime>();
        return services;
    }

    /// <summary>
    /// Adds the middleware that names server spans <c>{METHOD} {route}</c> and gives them
    /// <c>http.route</c>, <c>http.request.method</c>, <c>http.response.status_code</c>, <c>url.path</c>,
    /// <c>url.scheme</c>, <c>server.address</c>, <c>server.port</c>, error status for 5xx and exception
    /// events (if the app set ASP.NET Core's <c>SuppressActivityOpenTelemetryData</c> switch to false, hosting
    /// gives the request attributes and the middleware does not repeat them); links untrusted inbound
    /// context; and writes <c>traceresponse</c> when asked. Put it first.
    /// </summary>
    /// <param name="app">The app.</param>
    /// <returns>The app.</returns>
    public static IApplicationBuilder UseAriadneTracing(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<ServerSpanMiddleware>();
    }

    /// <summary>Builds the tracer provider the options describe (exposed for workers that have no host).</summary>
    /// <param name="options">The options.</param>
    /// <returns>The provider; dispose it to flush.</returns>
    public static TracerProvider BuildProvider(AriadneTracingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entry = Assembly.GetEntryAssembly()?.GetName();
        var serviceName = options.ServiceName ?? Environment.GetEnvironmentVariable("OTEL_SERVICE_NAME") ?? entry?.Name ?? "unknown_service";
        var resource = ResourceBuilder.CreateDefault()
            .AddService(serviceName, serviceVersion: options.ServiceVersion ?? entry?.Version?.ToString(), autoGenerateServiceInstanceId: true)
            .AddEnvironmentVariableDetector();
        if (options.DeploymentEnvironment is { } environment)
        {
            resource.AddAttributes([new("deployment.environment.name", environment)]);
        }

        var builder = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(AspNetCoreSource, HttpClientSource)
            .AddSource([.. options.Sources])
            .SetSampler(options.Sampler ?? SamplerFromEnvironment());
        if (options.ExportOtlp)
        {
            builder.AddOtlpExporter(o =>
            {
                ConfigureOtlpFromEnvironment(o);
                if (options.Protocol is { } protocol)
                {
                    o.Protocol = protocol;
                }

                if (options.Endpoint is { } endpoint)
                {
                    o.Endpoint = endpoint;
                }
            });
        }

        options.ConfigureTracing?.Invoke(builder);
        return builder.Build()!;
    }

    /// <summary>The sampler <c>OTEL_TRACES_SAMPLER</c> and <c>OTEL_TRACES_SAMPLER_ARG</c> name, as the OpenTelemetry specification defines them.</summary>
    /// <param name="variables">Reads a variable; the process environment when null.</param>
    /// <returns>The sampler (parent-based always-on when the variable is unset or unknown).</returns>
    public static Sampler SamplerFromEnvironment(Func<string, string?>? variables = null)
    {
        variables ??= Environment.GetEnvironmentVariable;
        var name = variables("OTEL_TRACES_SAMPLER")?.Trim().ToLowerInvariant();
        var argument = variables("OTEL_TRACES_SAMPLER_ARG");
        var ratio = double.TryParse(argument, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 0 and <= 1 ? parsed : 1.0;
        return name switch
        {
            "always_on" => new AlwaysOnSampler(),
            "always_off" => new AlwaysOffSampler(),
            "traceidratio" => new TraceIdRatioBasedSampler(ratio),
            "parentbased_always_off" => new ParentBasedSampler(new AlwaysOffSampler()),
            "parentbased_traceidratio" => new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)),
            _ => new ParentBasedSampler(new AlwaysOnSampler()),
        };
    }

    /// <summary>
    /// Applies the OpenTelemetry specification's exporter variables to <paramref name="options"/>: for each of
    /// protocol, endpoint, headers and timeout, <c>OTEL_EXPORTER_OTLP_TRACES_*</c> wins over
    /// <c>OTEL_EXPORTER_OTLP_*</c>. The signal-specific endpoint is the full URL; the general one is a base to
    /// which OTLP/HTTP adds <c>/v1/traces</c>. Unset variables leave the options as they are.
    /// </summary>
    /// <param name="options">The exporter's options.</param>
    /// <param name="variables">Reads a variable; the process environment when null.</param>
    public static void ConfigureOtlpFromEnvironment(OtlpExporterOptions options, Func<string, string?>? variables = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        variables ??= Environment.GetEnvironmentVariable;
        string? Read(string name) => variables("OTEL_EXPORTER_OTLP_TRACES_" + name) ?? variables("OTEL_EXPORTER_OTLP_" + name);

        options.Protocol = Read("PROTOCOL") switch
        {
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            "grpc" => OtlpExportProtocol.Grpc,
            _ => options.Protocol,
        };

        if (Uri.TryCreate(variables("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"), UriKind.Absolute, out var traces))
        {
            options.Endpoint = traces;
        }
        else if (Uri.TryCreate(variables("OTEL_EXPORTER_OTLP_ENDPOINT"), UriKind.Absolute, out var general))
        {
            options.Endpoint = options.Protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(general.ToString().TrimEnd('/') + "/v1/traces") : general;
        }

        if (Read("HEADERS") is { Length: > 0 } headers)
        {
            options.Headers = headers;
        }

        if (int.TryParse(Read("TIMEOUT"), NumberStyles.None, CultureInfo.InvariantCulture, out var timeout) && timeout > 0)
        {
            options.TimeoutMilliseconds = timeout;
        }
    }

    /// <summary>Creates the provider when the host starts and flushes it when the host stops.</summary>
    private sealed class TracerProviderLifetime(IServiceProvider services) : IHostedService
    {
        private TracerProvider? _provider;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _provider = services.GetRequiredService<TracerProvider>();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            _provider?.ForceFlush(5_000);
            return Task.CompletedTask;
        }
    }
}
