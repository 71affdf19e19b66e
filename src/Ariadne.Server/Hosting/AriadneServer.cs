using System.Net;
using Ariadne.Server.Admin;
using Ariadne.Server.Configuration;
using Ariadne.Server.Health;
using Ariadne.Server.Ingest;
using Ariadne.Server.Query;
using Ariadne.Server.Query.Jaeger;
using Ariadne.Server.Query.Tempo;
using Ariadne.Server.Receivers.Otlp.Grpc;
using Ariadne.Server.Receivers.Otlp.Http;
using Ariadne.Server.Receivers.Zipkin;
using Ariadne.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Ariadne.Server.Hosting;

/// <summary>
/// Builds the single Ariadne process: every listener on its own port, the services in dependency order
/// (storage first, then ingest, then the query APIs), and the routes of each port.
/// </summary>
internal static class AriadneServer
{
    /// <summary>Tenant used while multi-tenancy is off; the name Tempo uses for the same purpose.</summary>
    public const string DefaultTenant = Tenancy.TenantId.Single;

    /// <summary>The folder of the data directory holding the keys that protect UI session cookies.</summary>
    public const string SessionKeysDirectory = "@session-keys";

    /// <param name="options">The validated configuration.</param>
    /// <param name="configureLogging">Adjusts logging (tests quieten it).</param>
    /// <param name="configureStorage">Adjusts the storage options derived from the configuration, e.g. to use another device.</param>
    /// <param name="extensions">Parts built outside the server, such as the web UI, served on the query port.</param>
    public static WebApplication Build(
        AriadneOptions options,
        Action<ILoggingBuilder>? configureLogging = null,
        Action<SpanStoreOptions>? configureStorage = null,
        IReadOnlyList<IServerExtension>? extensions = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        configureLogging?.Invoke(builder.Logging);

        var grpc = options.Receivers.Otlp.Protocols.Grpc;
        var http = options.Receivers.Otlp.Protocols.Http;
        var grpcEndpoint = Parse(grpc.Endpoint);
        var httpEndpoint = Parse(http.Endpoint);
        var queryEndpoint = Parse(options.Query.Endpoint);
        var tempoEndpoint = Parse(options.Query.TempoEndpoint);
        var zipkin = options.Receivers.Zipkin;
        var zipkinEndpoint = Parse(zipkin.Endpoint);
        ListenEndpoint? samplingEndpoint = options.Sampling is { } samplingOptions ? Parse(samplingOptions.Endpoint) : null;

        // A receiver no pipeline lists is not started, as in the Collector.
        var router = new PipelineRouter(options);
        var otlpEnabled = router.IsEnabled("otlp");
        var zipkinEnabled = router.IsEnabled("zipkin");

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // Receivers enforce their own limits after decompression; Kestrel's fixed 30 MB cap would
            // refuse valid large batches before they could be measured.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.Http2.MaxStreamsPerConnection = 256;

            // Exporters keep many large requests in flight on one connection. With Kestrel's default
            // windows (1 MiB per connection, 768 KiB per stream) they stall for window updates
            // every few frames; a gRPC message may be 64 MiB anyway, so these bound nothing new.
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 4 * 1024 * 1024;
            kestrel.Limits.MaxRequestHeadersTotalSize = 64 * 1024;
            kestrel.Limits.Http2.MaxRequestHeaderFieldSize = 16 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(30);
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 1024, gracePeriod: TimeSpan.FromSeconds(10));

            // Cleartext gRPC is HTTP/2 with prior knowledge, which a listener can only offer without HTTP/1.1.
            // Elsewhere HTTP/2 needs TLS to be negotiated (ALPN), so cleartext listeners speak HTTP/1.1.
            if (otlpEnabled)
            {
                Listen(kestrel, grpcEndpoint, grpc.Tls, grpc.Tls is null ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2);
                Listen(kestrel, httpEndpoint, http.Tls, http.Tls is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2);
            }

            Listen(kestrel, queryEndpoint, options.Query.Tls, options.Query.Tls is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2);
            Listen(kestrel, tempoEndpoint, options.Query.Tls, options.Query.Tls is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2);
            if (zipkinEnabled)
            {
                Listen(kestrel, zipkinEndpoint, zipkin.Tls, zipkin.Tls is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2);
            }

            if (samplingEndpoint is { } sampling)
            {
                Listen(kestrel, sampling, null, HttpProtocols.Http1);
            }
        });

        var services = builder.Services;
        services.AddRouting();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, ListenerPortMatcherPolicy>());
        services.AddSingleton(options);
        services.AddSingleton(router);
        var storeOptions = new SpanStoreOptions
        {
            DataDirectory = Path.Combine(Path.GetFullPath(options.Storage.Path), DefaultTenant),
            SegmentSizeBytes = options.Storage.WalSegmentSizeMib * 1024L * 1024L,
        };
        configureStorage?.Invoke(storeOptions);
        services.AddSingleton(storeOptions);
        services.AddSingleton<StoreProvider>();
        services.AddSingleton<Tenancy.TenantStores>();
        services.AddSingleton<Tenancy.TenantAnalyzers>();
        services.AddSingleton<Tenancy.TenantLimits>();
        services.AddSingleton<Tenancy.TenantQuotas>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TailSamplingStages>();
        services.AddSingleton<Export.ExporterHub>();
        services.AddHostedService<StorageService>();
        services.AddHostedService<StorageMaintenanceService>();
        services.AddHostedService<TailSamplingService>();
        services.AddHostedService<ExportService>();
        services.AddSingleton<AdminApi>();
        services.AddSingleton<ReceiverMetrics>();
        services.AddSingleton<TraceIngest>();
        services.AddSingleton<Sampling.SamplingStrategies>();
        services.AddSingleton(provider => SpanAnalyzerFactory.Create(options.Analysis, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<OtlpGrpcReceiver>();
        services.AddSingleton<OtlpHttpReceiver>();
        services.AddSingleton<ZipkinReceiver>();
        services.AddSingleton<TraceLookup>();
        services.AddSingleton<TraceSearch>();
        services.AddSingleton<JaegerApi>();
        services.AddSingleton<TempoApi>();
        services.AddSingleton<TempoTagsApi>();
        services.AddSingleton<TempoSearchApi>();
        services.AddSingleton<TempoMetricsApi>();
        services.AddSingleton<JaegerV3Api>();
        services.AddSingleton<DependenciesApi>();
        services.AddSingleton<HealthEndpoints>();
        services.AddSingleton<MetricsEndpoint>();
        services.AddSingleton<Security.AuthMetrics>();
        services.AddSingleton<Security.SessionTokens>();

        // UI sessions survive a restart: the Data Protection keys live with the data, in a folder whose
        // name ('@' is not allowed in a tenant id) cannot collide with a tenant's.
        services.AddDataProtection()
            .SetApplicationName("Ariadne")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(Path.GetFullPath(options.Storage.Path), SessionKeysDirectory)));

        foreach (var extension in extensions ?? [])
        {
            extension.AddServices(services, options);
        }

        var app = builder.Build();
        var roles = new Dictionary<int, Security.ListenerRole>
        {
            [queryEndpoint.Port] = Security.ListenerRole.Query,
            [tempoEndpoint.Port] = Security.ListenerRole.Tempo,
        };
        if (otlpEnabled)
        {
            roles[grpcEndpoint.Port] = Security.ListenerRole.OtlpGrpc;
            roles[httpEndpoint.Port] = Security.ListenerRole.OtlpHttp;
        }

        if (zipkinEnabled)
        {
            roles[zipkinEndpoint.Port] = Security.ListenerRole.Zipkin;
        }

        Security.ExposureWarning.Log(app.Logger, options, otlpEnabled, zipkinEnabled);
        var access = new Security.AccessControl(
            roles, options, app.Services.GetRequiredService<Security.SessionTokens>(), app.Services.GetRequiredService<Security.AuthMetrics>(), app.Services.GetRequiredService<Tenancy.TenantStores>());
        app.Use(access.InvokeAsync);
        MapRoutes(app, grpcEndpoint.Port, httpEndpoint.Port, queryEndpoint.Port, tempoEndpoint.Port);
        var login = new Security.LoginEndpoints(access, app.Services.GetRequiredService<Security.SessionTokens>());
        app.MapGet(Security.LoginEndpoints.LoginPath, login.GetAsync).WithMetadata(new ListenerPortMetadata(queryEndpoint.Port));
        app.MapPost(Security.LoginEndpoints.LoginPath, login.PostAsync).WithMetadata(new ListenerPortMetadata(queryEndpoint.Port));
        app.MapPost(Security.LoginEndpoints.LogoutPath, Security.LoginEndpoints.LogoutAsync).WithMetadata(new ListenerPortMetadata(queryEndpoint.Port));
        app.MapGet(Security.LoginEndpoints.StylePath, Security.LoginEndpoints.StyleAsync).WithMetadata(new ListenerPortMetadata(queryEndpoint.Port));

        foreach (var extension in extensions ?? [])
        {
            extension.Map(app, queryEndpoint.Port);
        }

        if (zipkinEnabled)
        {
            var zipkinReceiver = app.Services.GetRequiredService<ZipkinReceiver>();
            app.MapPost(ZipkinReceiver.SpansPath, zipkinReceiver.HandleAsync).WithMetadata(new ListenerPortMetadata(zipkinEndpoint.Port));
        }

        if (samplingEndpoint is { } samplingListener)
        {
            // Jaeger's remote-sampling paths: /api/sampling (current) and /sampling (older agents).
            var strategies = app.Services.GetRequiredService<Sampling.SamplingStrategies>();
            app.MapGet("/api/sampling", strategies.HandleAsync).WithMetadata(new ListenerPortMetadata(samplingListener.Port));
            app.MapGet("/sampling", strategies.HandleAsync).WithMetadata(new ListenerPortMetadata(samplingListener.Port));
        }

        return app;
    }

    private static void MapRoutes(WebApplication app, int grpcPort, int httpPort, int queryPort, int tempoPort)
    {
        var grpc = app.Services.GetRequiredService<OtlpGrpcReceiver>();
        var http = app.Services.GetRequiredService<OtlpHttpReceiver>();
        var jaeger = app.Services.GetRequiredService<JaegerApi>();
        var tempo = app.Services.GetRequiredService<TempoApi>();
        var health = app.Services.GetRequiredService<HealthEndpoints>();
        var metrics = app.Services.GetRequiredService<MetricsEndpoint>();
        var admin = app.Services.GetRequiredService<AdminApi>();

        app.MapPost(OtlpGrpcReceiver.ExportPath, grpc.HandleAsync).WithMetadata(new ListenerPortMetadata(grpcPort));
        app.MapPost(OtlpHttpReceiver.TracesPath, http.HandleAsync).WithMetadata(new ListenerPortMetadata(httpPort));

        app.MapGet("/api/traces/{traceId}", context => jaeger.GetTraceAsync(context, RouteValue(context, "traceId")))
            .WithMetadata(new ListenerPortMetadata(queryPort));
        app.MapGet("/api/traces", jaeger.SearchAsync).WithMetadata(new ListenerPortMetadata(queryPort));
        app.MapGet("/api/services", jaeger.GetServicesAsync).WithMetadata(new ListenerPortMetadata(queryPort));
        app.MapGet("/api/services/{service}/operations", context => jaeger.GetServiceOperationsAsync(context, RouteValue(context, "service")))
            .WithMetadata(new ListenerPortMetadata(queryPort));
        app.MapGet("/api/operations", jaeger.GetOperationsAsync).WithMetadata(new ListenerPortMetadata(queryPort));
        app.MapGet("/api/dependencies", app.Services.GetRequiredService<DependenciesApi>().GetDependenciesAsync).WithMetadata(new ListenerPortMetadata(queryPort));
        var jaegerV3 = app.Services.GetRequiredService<JaegerV3Api>();
        app.MapGet("/api/v3/services", jaegerV3.GetServicesAsync).WithMetadata(new ListenerPortMetadata(queryPort));
        app.MapGet("/api/v3/operations", jaegerV3.GetOperationsAsync).WithMetadata(new ListenerPortMetadata(queryPort));
        app.MapGet("/api/v3/traces/{traceId}", context => jaegerV3.GetTraceAsync(context, RouteValue(context, "traceId")))
            .WithMetadata(new ListenerPortMetadata(queryPort));
        app.MapGet("/api/v3/traces", jaegerV3.FindTracesAsync).WithMetadata(new ListenerPortMetadata(queryPort));
        Query.Analysis.TraceAnalysisApi.Map(app, queryPort);
        app.MapGet("/health/live", HealthEndpoints.LiveAsync).WithMetadata(new ListenerPortMetadata(queryPort));
        app.MapGet("/health/ready", health.ReadyAsync).WithMetadata(new ListenerPortMetadata(queryPort));
        app.MapGet("/metrics", metrics.WriteAsync).WithMetadata(new ListenerPortMetadata(queryPort));
        app.MapPost("/api/admin/flush", admin.FlushAsync).WithMetadata(new ListenerPortMetadata(queryPort));

        app.MapGet("/api/traces/{traceId}", context => tempo.GetTraceV1Async(context, RouteValue(context, "traceId")))
            .WithMetadata(new ListenerPortMetadata(tempoPort));
        app.MapGet("/api/v2/traces/{traceId}", context => tempo.GetTraceV2Async(context, RouteValue(context, "traceId")))
            .WithMetadata(new ListenerPortMetadata(tempoPort));
        var tags = app.Services.GetRequiredService<TempoTagsApi>();
        var search = app.Services.GetRequiredService<TempoSearchApi>();
        var traceMetrics = app.Services.GetRequiredService<TempoMetricsApi>();

        // TraceQL search and autocomplete also answer on the query port, for the UI and the CLI.
        foreach (var port in new[] { tempoPort, queryPort })
        {
            app.MapGet("/api/search", search.SearchAsync).WithMetadata(new ListenerPortMetadata(port));
            app.MapGet("/api/metrics/query_range", traceMetrics.QueryRangeAsync).WithMetadata(new ListenerPortMetadata(port));
            app.MapGet("/api/metrics/query", traceMetrics.QueryInstantAsync).WithMetadata(new ListenerPortMetadata(port));
            app.MapGet("/api/search/tags", tags.GetTagNamesAsync).WithMetadata(new ListenerPortMetadata(port));
            app.MapGet("/api/v2/search/tags", tags.GetTagNamesV2Async).WithMetadata(new ListenerPortMetadata(port));
            app.MapGet("/api/search/tag/{name}/values", context => tags.GetTagValuesAsync(context, RouteValue(context, "name")))
                .WithMetadata(new ListenerPortMetadata(port));
            app.MapGet("/api/v2/search/tag/{name}/values", context => tags.GetTagValuesV2Async(context, RouteValue(context, "name")))
                .WithMetadata(new ListenerPortMetadata(port));
        }
        app.MapGet("/api/echo", TempoApi.EchoAsync).WithMetadata(new ListenerPortMetadata(tempoPort));
        app.MapGet("/ready", health.ReadyAsync).WithMetadata(new ListenerPortMetadata(tempoPort));
    }

    private static string RouteValue(HttpContext context, string name) => context.Request.RouteValues[name] as string ?? string.Empty;

    private static ListenEndpoint Parse(string endpoint) =>
        ListenEndpoint.TryParse(endpoint, out var parsed) ? parsed : throw new ConfigurationException($"invalid endpoint '{endpoint}'");

    private static void Listen(KestrelServerOptions kestrel, ListenEndpoint endpoint, TlsServerOptions? tls, HttpProtocols protocols)
    {
        void Configure(ListenOptions listen)
        {
            listen.Protocols = protocols;
            if (tls is not null)
            {
                var certificate = new ReloadingCertificate(tls.CertFile!, tls.KeyFile!);
                var https = new HttpsConnectionAdapterOptions
                {
                    ServerCertificateSelector = (_, _) => certificate.Current,
                    ClientCertificateMode = tls.RequireClientCert ? ClientCertificateMode.RequireCertificate
                        : tls.ClientCaFile is null ? ClientCertificateMode.NoCertificate : ClientCertificateMode.AllowCertificate,
                };
                if (tls.ClientCaFile is not null)
                {
                    https.ClientCertificateValidation = new ClientCertificateValidator(tls.ClientCaFile).Validate;
                }

                listen.UseHttps(https);
            }
        }

        if (endpoint.Host == "localhost")
        {
            kestrel.ListenLocalhost(endpoint.Port, Configure);
        }
        else if (endpoint.IsAnyAddress)
        {
            kestrel.ListenAnyIP(endpoint.Port, Configure);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(endpoint.Host), endpoint.Port, Configure);
        }
    }
}
