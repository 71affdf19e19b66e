using System.Diagnostics;
using System.Globalization;
using System.Net;
using Ariadne.Server.Configuration;
using Ariadne.Server.Hosting;
using Ariadne.Web;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace Ariadne.Benchmarks.Ui;

/// <summary>
/// How fast the web UI opens, collapses, expands and scrolls large traces in headless Chromium:
/// a real server with the UI, traces of 10,000 and 100,000 spans sent over OTLP/HTTP, and the
/// timings the waterfall records itself (fetch, parse and first draw; rebuild and redraw per toggle).
/// The first open of each trace is reported apart: it includes the server's analysis of the trace.
/// </summary>
internal static class UiTimingReport
{
    private const int Runs = 7;

    public static void Run(string chromium, int[] sizes) => RunAsync(chromium, sizes).GetAwaiter().GetResult();

    private static async Task RunAsync(string chromium, int[] sizes)
    {
        var data = Directory.CreateTempSubdirectory("ariadne-ui-bench-").FullName;
        try
        {
            // The same listeners the tests configure: every port free on loopback.
            var ports = Server.Tests.Infrastructure.ServerPorts.Allocate();
            var options = ConfigLoader.Parse(ports.ConfigYaml(data), "ui-bench");
            await using var app = AriadneServer.Build(options, logging => logging.SetMinimumLevel(LogLevel.Warning), extensions: [new WebUi()]);
            await app.StartAsync();
            var ui = new Uri($"http://127.0.0.1:{ports.Query}");
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            await WaitReadyAsync(http, ui);

            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
            });

            Console.WriteLine($"UI timings, headless Chromium, {Environment.ProcessorCount} cores, median of {Runs} opens after the first");
            Console.WriteLine("| spans | first open (server analysis + page + draw) | open | waterfall fetch+parse+draw | collapse all | expand root | expand all | scroll to end |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var size in sizes)
            {
                var traceId = await SendTraceAsync(http, new Uri($"http://127.0.0.1:{ports.Http}/v1/traces"), size);
                var samples = new List<double[]>();
                for (var run = 0; run <= Runs; run++)
                {
                    samples.Add(await MeasureAsync(browser, ui, traceId));
                }

                string Median(int column)
                {
                    var values = samples.Skip(1).Select(s => s[column]).Order().ToArray();
                    return values[values.Length / 2].ToString("0", CultureInfo.InvariantCulture) + " ms";
                }

                Console.WriteLine($"| {size:N0} | {samples[0][0]:0} ms | {Median(0)} | {Median(1)} | {Median(2)} | {Median(3)} | {Median(4)} | {Median(5)} |");
            }

            await app.StopAsync();
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Open, waterfall draw, collapse all, expand root, expand all, scroll to the end; milliseconds.</summary>
    private static async Task<double[]> MeasureAsync(IBrowser browser, Uri ui, string traceId)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(120_000);
        var watch = Stopwatch.StartNew();
        await page.GotoAsync(new Uri(ui, "/trace/" + traceId).ToString());
        await page.WaitForSelectorAsync("#waterfall[data-ready='1']");
        var open = watch.Elapsed.TotalMilliseconds;
        var draw = await Number(page, "data-render-ms");
        await page.ClickAsync("#collapse-all");
        await page.WaitForSelectorAsync("#waterfall[data-visible-rows='1']");
        var collapse = await Number(page, "data-toggle-ms");
        await page.ClickAsync("#rows .span-row[data-index='0'] .toggle");
        await page.WaitForFunctionAsync("() => document.querySelector('#waterfall').dataset.visibleRows !== '1'");
        var expandRoot = await Number(page, "data-toggle-ms");
        await page.ClickAsync("#expand-all");
        await page.WaitForFunctionAsync("() => document.querySelector('#rows').children.length > 0 && document.querySelector('#waterfall').dataset.visibleRows === document.querySelector('#trace-span-count').textContent");
        var expandAll = await Number(page, "data-toggle-ms");
        var scroll = await page.EvaluateAsync<double>("""
            () => new Promise(resolve => {
              const w = document.querySelector('#waterfall');
              const started = performance.now();
              w.scrollTop = w.scrollHeight;
              requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - started)));
            })
            """);
        return [open, draw, collapse, expandRoot, expandAll, scroll];
    }

    private static async Task<double> Number(IPage page, string attribute) =>
        double.Parse((await page.GetAttributeAsync("#waterfall", attribute))!, CultureInfo.InvariantCulture);

    /// <summary>One trace: a root with ⌈√n⌉ children, the rest spread under them; sent in requests of 10,000 spans.</summary>
    private static async Task<string> SendTraceAsync(HttpClient http, Uri endpoint, int spans)
    {
        var traceId = new byte[16];
        Random.Shared.NextBytes(traceId);
        var start = (ulong)DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds() * 1_000_000UL;
        var fanout = (int)Math.Ceiling(Math.Sqrt(spans));
        var all = new List<Span>(spans);
        var rootId = SpanIdOf(1);
        all.Add(NewSpan(traceId, rootId, ByteString.Empty, "run", start, start + 60_000_000_000UL));
        var children = new List<ByteString>();
        for (var i = 0; i < fanout && all.Count < spans; i++)
        {
            var id = SpanIdOf(all.Count + 1);
            children.Add(id);
            var childStart = start + ((ulong)i * 50_000_000UL);
            all.Add(NewSpan(traceId, id, rootId, "step " + i, childStart, childStart + 45_000_000UL));
        }

        for (var k = 0; all.Count < spans; k++)
        {
            var parent = children[k % children.Count];
            var at = start + ((ulong)(k % children.Count) * 50_000_000UL) + ((ulong)(k / children.Count) * 100_000UL);
            var span = NewSpan(traceId, SpanIdOf(all.Count + 1), parent, "work", at, at + 90_000UL);
            span.Attributes.Add(new KeyValue { Key = "item", Value = new AnyValue { IntValue = k } });
            all.Add(span);
        }

        for (var offset = 0; offset < all.Count; offset += 10_000)
        {
            var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "bench" } };
            scope.Spans.AddRange(all.Skip(offset).Take(10_000));
            var resource = new ResourceSpans { Resource = new Resource() };
            resource.Resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "service-" + (offset / 10_000 % 5) } });
            resource.ScopeSpans.Add(scope);
            var request = new ExportTraceServiceRequest();
            request.ResourceSpans.Add(resource);
            using var content = new ByteArrayContent(request.ToByteArray());
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
            using var response = await http.PostAsync(endpoint, content);
            response.EnsureSuccessStatusCode();
        }

        return Convert.ToHexStringLower(traceId);
    }

    private static ByteString SpanIdOf(int n)
    {
        var id = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(id, n);
        return ByteString.CopyFrom(id);
    }

    private static Span NewSpan(byte[] traceId, ByteString spanId, ByteString parent, string name, ulong start, ulong end) => new()
    {
        TraceId = ByteString.CopyFrom(traceId),
        SpanId = spanId,
        ParentSpanId = parent,
        Name = name,
        Kind = Span.Types.SpanKind.Internal,
        StartTimeUnixNano = start,
        EndTimeUnixNano = end,
    };

    private static async Task WaitReadyAsync(HttpClient http, Uri ui)
    {
        for (var i = 0; i < 600; i++)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(ui, "/health/ready"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the server did not become ready");
    }
}
