using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ariadne.Server.Tests.Infrastructure;

/// <summary>One trace of a few spans sent by the real OpenTelemetry SDK, with the headers an operator would configure (keys, tenant).</summary>
internal static class SdkExport
{
    /// <summary>Exports a trace of <paramref name="spans"/> spans and returns its id; whether the server kept it is for the caller to check.</summary>
    /// <param name="endpoint">The receiver's base address.</param>
    /// <param name="protocol">OTLP/gRPC or OTLP/HTTP.</param>
    /// <param name="headers">The exporter's headers, as <c>OTEL_EXPORTER_OTLP_HEADERS</c> writes them.</param>
    /// <param name="service">The resource's service.name.</param>
    /// <param name="spans">Spans in the trace: a root and children.</param>
    /// <param name="spanName">The root span's name.</param>
    /// <param name="retry">Turns on the exporter's in-memory retry of transient errors (its OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY=in_memory), for this provider only.</param>
    public static string OneTrace(Uri endpoint, OtlpExportProtocol protocol, string headers, string service = "checkout", int spans = 2, string? spanName = null, bool retry = false)
    {
        using var source = new ActivitySource("sdk-export." + Guid.NewGuid().ToString("N"));
        using var provider = Sdk.CreateTracerProviderBuilder()
            .ConfigureServices(services => services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
                .AddInMemoryCollection(retry ? [new KeyValuePair<string, string?>("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "in_memory")] : [])
                .Build()))
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service, autoGenerateServiceInstanceId: false))
            .AddSource(source.Name)
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o =>
            {
                o.Endpoint = protocol == OtlpExportProtocol.Grpc ? endpoint : new Uri(endpoint, "/v1/traces");
                o.Protocol = protocol;
                o.Headers = headers;
                o.ExportProcessorType = ExportProcessorType.Batch;
                o.BatchExportProcessorOptions = new BatchExportActivityProcessorOptions { ScheduledDelayMilliseconds = 60_000, MaxExportBatchSize = 512 };
            })
            .Build()!;
        string traceId;
        using (var root = source.StartActivity(spanName ?? "GET /cart", ActivityKind.Server)!)
        {
            traceId = root.TraceId.ToHexString();
            for (var i = 1; i < spans; i++)
            {
                using var child = source.StartActivity("step " + i)!;
            }
        }

        // Shutdown, not ForceFlush: it waits for the server's answer (see SdkDelivery).
        provider.Shutdown(10_000);
        return traceId;
    }
}
