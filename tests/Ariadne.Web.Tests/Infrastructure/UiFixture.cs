using System.Diagnostics;
using Ariadne.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ariadne.Web.Tests.Infrastructure;

/// <summary>
/// One real server with the web UI, holding known traces sent with the OpenTelemetry SDK: a normal and
/// a slow checkout through gateway → orders → payments and a database, a trace whose names and
/// attributes are XSS payloads, a trace that links to another, and a 10,000-span trace. One browser.
/// </summary>
public sealed class UiFixture : IAsyncLifetime
{
    public const string XssService = "<img src=x onerror=window.__xss=1>";
    public const string XssSpanName = "<script>window.__xss=2</script>";
    public const string XssAttributeKey = "<b onmouseover=window.__xss=3>key</b>";
    public const string XssAttributeValue = "<img src=x onerror=window.__xss=4>";
    public const string XssEventName = "<svg onload=window.__xss=5>";
    public const int LargeTraceSpans = 10_000;

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    internal LoopbackServer Server { get; private set; } = default!;

    public string NormalTraceId { get; private set; } = string.Empty;

    public string SlowTraceId { get; private set; } = string.Empty;

    public string SlowPaymentsSpanId { get; private set; } = string.Empty;

    public string XssTraceId { get; private set; } = string.Empty;

    public string LinkingTraceId { get; private set; } = string.Empty;

    public string LargeTraceId { get; private set; } = string.Empty;

    public string SkewedTraceId { get; private set; } = string.Empty;

    public Uri Ui => Server.QueryEndpoint;

    public async Task InitializeAsync()
    {
        // A short pairing wait, so the database's client span becomes a virtual node within the test, yet
        // long enough that a client span still waits for its server span on a busy machine (the three
        // services' spans arrive in separate flushes).
        Server = await LoopbackServer.StartAsync(configure: o => o.Analysis.ServiceGraph.Wait = TimeSpan.FromSeconds(3), extensions: [new WebUi()]);
        var endpoint = Server.GrpcEndpoint;
        using (var gateway = SdkProviders.ForService("gateway", "ui.gateway", endpoint))
        using (var orders = SdkProviders.ForService("orders", "ui.orders", endpoint))
        using (var payments = SdkProviders.ForService("payments", "ui.payments", endpoint))
        using (var xss = SdkProviders.ForService(XssService, "ui.xss", endpoint))
        {
            var now = DateTime.UtcNow.AddSeconds(-30);
            NormalTraceId = Checkout(now, slow: false, out _);
            SlowTraceId = Checkout(now.AddSeconds(5), slow: true, out var paymentsSpan);
            SlowPaymentsSpanId = paymentsSpan;
            XssTraceId = Xss(now.AddSeconds(10));
            LinkingTraceId = Linking(now.AddSeconds(12), NormalTraceId);
            SkewedTraceId = Skewed(now.AddSeconds(14));
            gateway.ForceFlush();
            orders.ForceFlush();
            payments.ForceFlush();
            xss.ForceFlush();
        }

        LargeTraceId = SendLargeTrace(endpoint, DateTime.UtcNow.AddSeconds(-20));
        foreach (var id in new[] { NormalTraceId, SlowTraceId, XssTraceId, LinkingTraceId, LargeTraceId, SkewedTraceId })
        {
            await WaitStoredAsync(id);
        }

        if (Browser.IsInstalled)
        {
            (_playwright, _browser) = await Browser.LaunchAsync();
        }
    }

    /// <summary>A fresh page (its own cookies and storage) on the UI.</summary>
    public async Task<IPage> NewPageAsync()
    {
        Browser.Require();
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = Ui.ToString(), ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        return page;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await Server.DisposeAsync();
    }

    private static readonly ActivitySource Gateway = new("ui.gateway");
    private static readonly ActivitySource Orders = new("ui.orders");
    private static readonly ActivitySource Payments = new("ui.payments");
    private static readonly ActivitySource XssSource = new("ui.xss");

    private static string Checkout(DateTime start, bool slow, out string paymentsSpanId)
    {
        var scale = slow ? 8 : 1;
        using var root = Span(Gateway, "GET /checkout", ActivityKind.Server, default, start, TimeSpan.FromMilliseconds(120 * scale));
        root.SetTag("http.route", "/checkout");
        root.SetTag("http.response.status_code", slow ? 500 : 200);
        using (var call = Span(Gateway, "POST /orders", ActivityKind.Client, root.Context, start.AddMilliseconds(5), TimeSpan.FromMilliseconds(100 * scale)))
        {
            using var handler = Span(Orders, "POST /orders", ActivityKind.Server, call.Context, start.AddMilliseconds(7), TimeSpan.FromMilliseconds(95 * scale));
            if (!slow)
            {
                using var query = Span(Orders, "SELECT orders", ActivityKind.Client, handler.Context, start.AddMilliseconds(10), TimeSpan.FromMilliseconds(20));
                query.SetTag("db.system", "postgresql");
                query.SetTag("db.namespace", "shop");
            }

            var attempts = slow ? 2 : 1;
            paymentsSpanId = string.Empty;
            for (var attempt = 0; attempt < attempts; attempt++)
            {
                var at = start.AddMilliseconds(35 + (attempt * 40 * scale));
                using var charge = Span(Orders, "POST /charge", ActivityKind.Client, handler.Context, at, TimeSpan.FromMilliseconds(30 * scale));
                using var payment = Span(Payments, "POST /charge", ActivityKind.Server, charge.Context, at.AddMilliseconds(1), TimeSpan.FromMilliseconds(28 * scale));
                payment.SetTag("payment.provider", "acme");
                if (slow)
                {
                    payment.SetStatus(ActivityStatusCode.Error, "card declined");
                    payment.AddEvent(new ActivityEvent("exception", at.AddMilliseconds(20), new ActivityTagsCollection
                    {
                        ["exception.type"] = "PaymentDeclinedException",
                        ["exception.message"] = "card declined",
                    }));
                    paymentsSpanId = payment.SpanId.ToHexString();
                }
            }
        }

        return root.TraceId.ToHexString();
    }

    private static string Xss(DateTime start)
    {
        using var root = Span(XssSource, XssSpanName, ActivityKind.Server, default, start, TimeSpan.FromMilliseconds(50));
        root.SetTag(XssAttributeKey, XssAttributeValue);
        root.SetTag("http.route", XssAttributeValue);
        root.AddEvent(new ActivityEvent(XssEventName, start.AddMilliseconds(10), new ActivityTagsCollection { [XssAttributeKey] = XssAttributeValue }));
        using var child = Span(XssSource, XssAttributeValue, ActivityKind.Internal, root.Context, start.AddMilliseconds(5), TimeSpan.FromMilliseconds(20));
        return root.TraceId.ToHexString();
    }

    private static string Linking(DateTime start, string linkedTraceId)
    {
        var linked = new ActivityContext(ActivityTraceId.CreateFromString(linkedTraceId), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        using var root = Gateway.StartActivity("consume order", ActivityKind.Consumer, default(ActivityContext), null, [new ActivityLink(linked)], new DateTimeOffset(start))!;
        root.SetEndTime(start.AddMilliseconds(15));
        return root.TraceId.ToHexString();
    }

    /// <summary>The orders host's clock runs 300 ms behind: its server span starts before the call that made it.</summary>
    private static string Skewed(DateTime start)
    {
        using var root = Span(Gateway, "GET /skewed", ActivityKind.Server, default, start, TimeSpan.FromMilliseconds(100));
        using var call = Span(Gateway, "POST /orders", ActivityKind.Client, root.Context, start.AddMilliseconds(10), TimeSpan.FromMilliseconds(80));
        using var handler = Span(Orders, "POST /orders", ActivityKind.Server, call.Context, start.AddMilliseconds(10 - 300), TimeSpan.FromMilliseconds(70));
        return root.TraceId.ToHexString();
    }

    private static Activity Span(ActivitySource source, string name, ActivityKind kind, ActivityContext parent, DateTime start, TimeSpan duration)
    {
        var activity = source.StartActivity(name, kind, parent, startTime: new DateTimeOffset(start))
            ?? throw new InvalidOperationException("the SDK did not sample the span");
        activity.SetEndTime(start + duration);
        return activity;
    }

    /// <summary>A 10,000-span trace: a root, 99 children, each with 100 children of its own.</summary>
    private static string SendLargeTrace(Uri endpoint, DateTime start)
    {
        using var source = new ActivitySource("ui.large");
        using var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService("batch-job", autoGenerateServiceInstanceId: false))
            .AddSource("ui.large")
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o =>
            {
                o.Endpoint = endpoint;
                o.Protocol = OtlpExportProtocol.Grpc;
                o.ExportProcessorType = ExportProcessorType.Batch;
                o.BatchExportProcessorOptions = new BatchExportActivityProcessorOptions { ScheduledDelayMilliseconds = 60_000, MaxExportBatchSize = 2048, MaxQueueSize = 20_000 };
            })
            .Build()!;
        using var root = Span(source, "nightly import", ActivityKind.Internal, default, start, TimeSpan.FromSeconds(10));
        for (var i = 0; i < 99; i++)
        {
            var stepStart = start.AddMilliseconds(i * 100);
            using var step = Span(source, "import chunk " + i, ActivityKind.Internal, root.Context, stepStart, TimeSpan.FromMilliseconds(100));
            for (var j = 0; j < 100; j++)
            {
                using var row = Span(source, "upsert row", ActivityKind.Internal, step.Context, stepStart.AddMilliseconds(j), TimeSpan.FromMilliseconds(0.9));
                row.SetTag("row", (i * 100) + j);
            }
        }

        root.Stop();
        provider.ForceFlush();
        return root.TraceId.ToHexString();
    }

    private async Task WaitStoredAsync(string traceId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Server.Query.GetAsync(new Uri(Server.QueryEndpoint, "/api/traces/" + traceId));
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"trace {traceId} was not stored within 30 s");
    }
}
