using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Ariadne.Cli.LoadGen;

/// <summary>What a load run does; with <c>MaxRequests</c> above 0 it stops after that many requests even before <c>Duration</c>. Runs with different <c>FirstSeed</c>s send different traces.</summary>
internal sealed record LoadOptions(Uri Endpoint, bool Grpc, int Rate, TimeSpan Duration, int Workers, string Profile, int SpansPerRequest = 1000, int DistinctRequests = 16, TraceShape? Shape = null, long MaxRequests = 0, int FirstSeed = 50_000_000);

/// <summary>What a load run did. Spans are counted per request: acknowledged, refused (retry later), or failed.</summary>
internal sealed record LoadSummary(long SentSpans, long AckedSpans, long RefusedSpans, long FailedSpans, double Seconds, double LatencyP50Ms, double LatencyP99Ms, long Requests, double CpuSeconds)
{
    /// <summary>Spans offered per second of the generator's own CPU time: what one core can offer.</summary>
    public double SpansPerCpuSecond => CpuSeconds > 0 ? SentSpans / CpuSeconds : 0;

    public double AckedSpansPerSecond => Seconds > 0 ? AckedSpans / Seconds : 0;
}

/// <summary>
/// Sends pre-encoded OTLP requests (see <see cref="EncodedRequest"/>) over OTLP/HTTP or OTLP/gRPC from
/// several workers, paced to a rate of spans per second or as fast as the receiver answers (rate 0).
/// </summary>
internal static class LoadGenerator
{
    private const string GrpcPath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    public static async Task<LoadSummary> RunAsync(LoadOptions options, CancellationToken cancellationToken)
    {
        var requests = EncodedRequest.Prepare(options.Profile, options.SpansPerRequest, options.DistinctRequests, options.FirstSeed, options.Shape);
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = options.Workers,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = true,
        };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var target = options.Grpc ? new Uri(options.Endpoint, GrpcPath) : TracesUrl(options.Endpoint);
        long sent = 0, acked = 0, refused = 0, failed = 0, number = -1;
        var latencies = new List<double>[options.Workers];
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var workers = new Task[options.Workers];
        var largest = requests.Max(r => r.Bytes.Length);
        for (var w = 0; w < options.Workers; w++)
        {
            var mine = latencies[w] = new List<double>(1024);
            workers[w] = Task.Run(
                async () =>
                {
                    var body = new byte[largest + 5];
                    while (clock.Elapsed < options.Duration && !cancellationToken.IsCancellationRequested)
                    {
                        var n = Interlocked.Increment(ref number);
                        if (options.MaxRequests > 0 && n >= options.MaxRequests)
                        {
                            break;
                        }

                        var request = requests[(int)(n % requests.Count)];
                        if (options.Rate > 0)
                        {
                            // Request n leaves no earlier than n × spans per request / rate seconds in.
                            var wait = TimeSpan.FromSeconds(n * (double)request.SpanCount / options.Rate) - clock.Elapsed;
                            if (wait > TimeSpan.Zero)
                            {
                                if (wait >= options.Duration - clock.Elapsed)
                                {
                                    break;
                                }

                                await Task.Delay(wait, cancellationToken);
                            }
                        }

                        var round = (uint)(n / requests.Count) + 1;
                        var length = options.Grpc ? request.Render(body.AsSpan(5), round) + 5 : request.Render(body, round);
                        if (options.Grpc)
                        {
                            body[0] = 0;
                            BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)(length - 5));
                        }

                        Interlocked.Add(ref sent, request.SpanCount);
                        var began = Stopwatch.GetTimestamp();
                        var outcome = await SendAsync(client, target, options.Grpc, body, length, cancellationToken);
                        mine.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
                        switch (outcome)
                        {
                            case Outcome.Acked:
                                Interlocked.Add(ref acked, request.SpanCount);
                                break;
                            case Outcome.Refused:
                                Interlocked.Add(ref refused, request.SpanCount);
                                break;
                            default:
                                Interlocked.Add(ref failed, request.SpanCount);
                                break;
                        }
                    }
                },
                cancellationToken);
        }

        await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToList();
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        return new LoadSummary(sent, acked, refused, failed, seconds, Percentile(all, 0.50), Percentile(all, 0.99), all.Count, cpu);
    }

    private enum Outcome
    {
        Acked,
        Refused,
        Failed,
    }

    /// <summary>An OTLP/HTTP endpoint given as a base URL gets the traces path, as SDKs add it.</summary>
    private static Uri TracesUrl(Uri endpoint) =>
        endpoint.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal) ? endpoint : new Uri(endpoint, "/v1/traces");

    private static async Task<Outcome> SendAsync(HttpClient client, Uri target, bool grpc, byte[] body, int length, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(body, 0, length);
        content.Headers.ContentType = new MediaTypeHeaderValue(grpc ? "application/grpc" : "application/x-protobuf");
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = content };
        if (grpc)
        {
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            request.Headers.TryAddWithoutValidation("te", "trailers");
        }

        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            if (!grpc)
            {
                return response.StatusCode switch
                {
                    HttpStatusCode.OK => Outcome.Acked,
                    HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable => Outcome.Refused,
                    _ => Outcome.Failed,
                };
            }

            var status = response.TrailingHeaders.TryGetValues("grpc-status", out var values) || response.Headers.TryGetValues("grpc-status", out values)
                ? values.FirstOrDefault()
                : null;
            return status switch
            {
                "0" => Outcome.Acked,
                "8" or "14" => Outcome.Refused, // RESOURCE_EXHAUSTED, UNAVAILABLE
                _ => Outcome.Failed,
            };
        }
        catch (HttpRequestException)
        {
            return Outcome.Failed;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Outcome.Failed;
        }
    }

    private static double Percentile(List<double> sorted, double quantile) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * quantile))];

    public static string Describe(LoadSummary summary, LoadOptions options) => string.Create(
        CultureInfo.InvariantCulture,
        $"""
        {summary.Requests:N0} requests of {options.SpansPerRequest:N0} {options.Profile} spans over {(options.Grpc ? "OTLP/gRPC" : "OTLP/HTTP")} in {summary.Seconds:F1} s, {options.Workers} workers
        sent      {summary.SentSpans,14:N0} spans
        acked     {summary.AckedSpans,14:N0} spans  ({summary.AckedSpansPerSecond:N0} spans/s)
        refused   {summary.RefusedSpans,14:N0} spans  (retry later: 503 / UNAVAILABLE / RESOURCE_EXHAUSTED)
        failed    {summary.FailedSpans,14:N0} spans
        latency   p50 {summary.LatencyP50Ms:F1} ms, p99 {summary.LatencyP99Ms:F1} ms
        cpu       {summary.CpuSeconds:F1} s of the generator = {summary.SpansPerCpuSecond:N0} spans offered per CPU second
        """);
}
