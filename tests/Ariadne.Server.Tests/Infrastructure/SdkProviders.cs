using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Ariadne.Server.Tests.Infrastructure;

/// <summary>Real OpenTelemetry SDK tracer providers, one per service, exporting to a test server.</summary>
internal static class SdkProviders
{
    /// <summary>
    /// A provider for <paramref name="service"/> recording <paramref name="source"/> and exporting over
    /// OTLP/gRPC in batches that leave only when flushed, so a test decides what arrives together.
    /// </summary>
    public static TracerProvider ForService(string service, string source, Uri endpoint) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(service, autoGenerateServiceInstanceId: false))
            .AddSource(source)
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(o =>
            {
                o.Endpoint = endpoint;
                o.Protocol = OtlpExportProtocol.Grpc;
                o.ExportProcessorType = ExportProcessorType.Batch;
                o.BatchExportProcessorOptions = new BatchExportActivityProcessorOptions { ScheduledDelayMilliseconds = 60_000, MaxExportBatchSize = 512 };
            })
            .Build()!;
}
