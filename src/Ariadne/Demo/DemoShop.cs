using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Ariadne.Instrumentation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace Ariadne.Cli.Demo;

/// <summary>
/// A small shop of real services — gateway, auth, catalog, cart, orders, payments, notifications — as
/// Kestrel apps on loopback, instrumented with Ariadne.Instrumentation and calling each other over
/// HTTP; orders hands work to notifications over an in-process queue with the trace context; catalog
/// and cart query a database; a driver sends traffic with realistic faults (slow queries, cache misses,
/// retried payments, declined cards, a slow downstream). Each service exports with its own resource.
/// </summary>
internal sealed class DemoShop : IAsyncDisposable
{
    public static readonly string[] Services = ["gateway", "auth", "catalog", "cart", "orders", "payments", "notifications"];

    /// <summary>Which demo service the current request (or background work) belongs to; spans are exported by that service.</summary>
    private static readonly AsyncLocal<string?> CurrentService = new();

    private const string OwnerProperty = "ariadne.demo.service";

    private readonly List<WebApplication> _apps = [];
    private readonly List<TracerProvider> _providers = [];
    private readonly Dictionary<string, Uri> _addresses = new(StringComparer.Ordinal);
    private readonly Channel<Traced<string>> _orderEvents = Channel.CreateUnbounded<Traced<string>>();
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _client = new();

    /// <summary>The traffic driver stands for users' browsers: it sends no trace context, so every checkout starts a trace at the gateway.</summary>
    private readonly HttpClient _users = new(new SocketsHttpHandler { ActivityHeadersPropagator = null });
    private readonly ActivitySource _source = new("Ariadne.Demo");
    private Task? _driver;
    private Task? _consumer;

    private DemoShop()
    {
    }

    /// <summary>Requests sent by the traffic driver so far.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    private long _requests;

    /// <summary>Starts the services, exporting over OTLP/gRPC to <paramref name="otlp"/>, and drives <paramref name="requestsPerSecond"/> checkouts per second.</summary>
    /// <param name="otlp">The OTLP/gRPC endpoint.</param>
    /// <param name="requestsPerSecond">Checkouts per second.</param>
    /// <param name="headers">Exporter headers, as <c>OTEL_EXPORTER_OTLP_HEADERS</c> writes them (an API key, a tenant).</param>
    /// <param name="cancellationToken">Stops the start-up.</param>
    public static async Task<DemoShop> StartAsync(Uri otlp, double requestsPerSecond, string? headers = null, CancellationToken cancellationToken = default)
    {
        var shop = new DemoShop();
        foreach (var service in Services)
        {
            shop._providers.Add(shop.CreateProvider(service, otlp, headers));
        }

        // Each service takes whatever port the system gives it and is found by the one it got: a port
        // chosen first and bound later could be taken by another process in between.
        foreach (var service in Services)
        {
            var app = shop.CreateApp(service);
            await app.StartAsync(cancellationToken);
            shop._apps.Add(app);
            shop._addresses[service] = new Uri(app.Urls.First());
        }

        shop._consumer = Task.Run(() => shop.ConsumeOrderEventsAsync(shop._stop.Token), CancellationToken.None);
        shop._driver = Task.Run(() => shop.DriveAsync(requestsPerSecond, shop._stop.Token), CancellationToken.None);
        return shop;
    }

    /// <summary>One tracer provider per service, exporting only the spans that service made.</summary>
    private TracerProvider CreateProvider(string service, Uri otlp, string? headers)
    {
        var exporter = new OtlpTraceExporter(new OtlpExporterOptions { Endpoint = otlp, Protocol = OtlpExportProtocol.Grpc, Headers = headers });
        var export = new BatchActivityExportProcessor(exporter, scheduledDelayMilliseconds: 1000);
        var provider = AriadneTracingExtensions.BuildProvider(new AriadneTracingOptions
        {
            ServiceName = service,
            ServiceVersion = "1.4.2",
            DeploymentEnvironment = "demo",
            Sampler = new AlwaysOnSampler(),
            ExportOtlp = false,
            Sources = { _source.Name },
            ConfigureTracing = builder => builder.AddProcessor(new OwnSpansOnly(service, export)),
        });

        // The SDK tells a processor its provider (whose resource the exporter sends) only when the processor
        // is added directly; the wrapped one learns it here, through the SDK's own (non-public) hook.
        typeof(BaseProcessor<Activity>)
            .GetMethod("SetParentProvider", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)?
            .Invoke(export, [provider]);
        return provider;
    }

    private WebApplication CreateApp(string service)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(new AriadneTracingOptions { ServiceName = service });
        var app = builder.Build();
        app.Use((context, next) =>
        {
            // The server span began before this app's code ran: claim it here, and what it starts below.
            CurrentService.Value = service;
            Activity.Current?.SetCustomProperty(OwnerProperty, service);
            return next(context);
        });
        app.UseAriadneTracing();
        switch (service)
        {
            case "gateway":
                app.MapPost("/checkout", CheckoutAsync);
                break;
            case "auth":
                app.MapPost("/verify", async () =>
                {
                    await Task.Delay(Random.Shared.Next(2, 8));
                    return Results.Ok();
                });
                break;
            case "catalog":
                app.MapGet("/items/{id}", async (string id) =>
                {
                    // 5 % of queries hit a missing index.
                    await QueryAsync("catalog", "SELECT * FROM items WHERE id = @id", Random.Shared.NextDouble() < 0.05 ? 800 : Random.Shared.Next(2, 15));
                    return Results.Ok(new { id, price = 12.5 });
                });
                break;
            case "cart":
                app.MapGet("/cart/{user}", async (string user) =>
                {
                    using (var cache = _source.StartActivity("GET cache", ActivityKind.Client))
                    {
                        cache?.SetTag("db.system", "redis");
                        var miss = Random.Shared.NextDouble() < 0.3;
                        cache?.SetTag("cache.hit", !miss);
                        await Task.Delay(1);
                        if (miss)
                        {
                            await QueryAsync("cart", "SELECT * FROM carts WHERE user_id = @user", Random.Shared.Next(10, 40));
                        }
                    }

                    return Results.Ok(new { user, items = 3 });
                });
                break;
            case "orders":
                app.MapPost("/orders", async () =>
                {
                    await QueryAsync("orders", "INSERT INTO orders (user_id, total) VALUES (@user, @total)", Random.Shared.Next(3, 12));
                    var orderId = Guid.NewGuid().ToString("N")[..12];
                    using (var publish = _source.StartActivity("publish order.created", ActivityKind.Producer))
                    {
                        publish?.SetTag("messaging.system", "in-process");
                        publish?.SetTag("messaging.destination.name", "order.created");
                        await _orderEvents.Writer.WriteAsync(Traced<string>.Capture(orderId));
                    }

                    return Results.Ok(new { orderId });
                });
                break;
            case "payments":
                app.MapPost("/charge", async () =>
                {
                    await Task.Delay(Random.Shared.Next(20, 120));
                    var roll = Random.Shared.NextDouble();
                    if (roll < 0.08)
                    {
                        return Results.StatusCode(StatusCodes.Status503ServiceUnavailable); // the processor is overloaded: retried
                    }

                    if (roll < 0.11)
                    {
                        throw new InvalidOperationException("card declined");
                    }

                    return Results.Ok(new { charged = true });
                });
                break;
            default:
                app.MapGet("/health", () => Results.Ok());
                break;
        }

        return app;
    }

    private async Task<IResult> CheckoutAsync()
    {
        var user = "user-" + Random.Shared.Next(500);
        (await _client.PostAsync(new Uri(_addresses["auth"], "/verify"), null)).Dispose();
        (await _client.GetAsync(new Uri(_addresses["cart"], $"/cart/{user}"))).Dispose();
        for (var i = 0; i < Random.Shared.Next(1, 4); i++)
        {
            (await _client.GetAsync(new Uri(_addresses["catalog"], $"/items/{Random.Shared.Next(1000)}"))).Dispose();
        }

        // A payment refused with 503 is retried once, as a client library would.
        HttpStatusCode status = default;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var charge = await _client.PostAsync(new Uri(_addresses["payments"], "/charge"), null);
            status = charge.StatusCode;
            if (status != HttpStatusCode.ServiceUnavailable)
            {
                break;
            }
        }

        if (status != HttpStatusCode.OK)
        {
            return Results.StatusCode(StatusCodes.Status502BadGateway);
        }

        (await _client.PostAsync(new Uri(_addresses["orders"], "/orders"), null)).Dispose();
        return Results.Ok();
    }

    private async Task QueryAsync(string service, string statement, int milliseconds)
    {
        using var query = _source.StartActivity(statement.Split(' ')[0] + " " + service, ActivityKind.Client);
        query?.SetTag("db.system", "postgresql");
        query?.SetTag("db.name", service);
        query?.SetTag("db.statement", statement);
        query?.SetTag("server.address", "db.demo.internal");
        await Task.Delay(milliseconds);
    }

    private async Task ConsumeOrderEventsAsync(CancellationToken cancellationToken)
    {
        await foreach (var item in _orderEvents.Reader.ReadAllAsync(cancellationToken))
        {
            CurrentService.Value = "notifications";
            using var process = item.StartActivity(_source, "process order.created", ActivityKind.Consumer);
            process?.SetTag("messaging.system", "in-process");
            process?.SetTag("messaging.destination.name", "order.created");
            process?.SetTag("order.id", item.Value);
            using (var send = _source.StartActivity("send confirmation email", ActivityKind.Client))
            {
                send?.SetTag("server.address", "smtp.demo.internal");

                // The mail relay is slow one time in ten.
                await Task.Delay(Random.Shared.NextDouble() < 0.1 ? 1500 : Random.Shared.Next(5, 30), cancellationToken);
            }

            CurrentService.Value = null;
        }
    }

    private async Task DriveAsync(double requestsPerSecond, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / requestsPerSecond));
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            _ = Task.Run(
                async () =>
                {
                    try
                    {
                        (await _users.PostAsync(new Uri(_addresses["gateway"], "/checkout"), null, cancellationToken)).Dispose();
                        Interlocked.Increment(ref _requests);
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
                    {
                    }
                },
                cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var task in new[] { _driver, _consumer })
        {
            try
            {
                if (task is not null)
                {
                    await task;
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        foreach (var provider in _providers)
        {
            provider.ForceFlush(5000);
            provider.Dispose();
        }

        _client.Dispose();
        _users.Dispose();
        _source.Dispose();
        _stop.Dispose();
    }

    /// <summary>
    /// Hands a span to the service's exporter only when the service made it: every provider in this one
    /// process sees every activity, but each must export only its own service's, with its own resource.
    /// </summary>
    private sealed class OwnSpansOnly(string service, BaseProcessor<Activity> inner) : BaseProcessor<Activity>
    {
        public override void OnStart(Activity data)
        {
            if (data.GetCustomProperty(OwnerProperty) is null && CurrentService.Value is { } current)
            {
                data.SetCustomProperty(OwnerProperty, current);
            }
        }

        public override void OnEnd(Activity data)
        {
            if ((string?)data.GetCustomProperty(OwnerProperty) == service)
            {
                inner.OnEnd(data);
            }
        }

        protected override bool OnForceFlush(int timeoutMilliseconds) => inner.ForceFlush(timeoutMilliseconds);

        protected override bool OnShutdown(int timeoutMilliseconds) => inner.Shutdown(timeoutMilliseconds);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
