using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace Ariadne.Instrumentation;

/// <summary>How <see cref="AriadneTracingExtensions.AddAriadneTracing"/> sets tracing up. Unset options fall back to the standard <c>OTEL_*</c> environment variables, then to defaults.</summary>
public sealed class AriadneTracingOptions
{
    /// <summary><c>service.name</c>; else <c>OTEL_SERVICE_NAME</c>, else the entry assembly's name.</summary>
    public string? ServiceName { get; set; }

    /// <summary><c>service.version</c>; else the entry assembly's informational version.</summary>
    public string? ServiceVersion { get; set; }

    /// <summary><c>deployment.environment.name</c>, when set.</summary>
    public string? DeploymentEnvironment { get; set; }

    /// <summary>The application's own activity sources (ASP.NET Core's and HttpClient's are always listened to).</summary>
    public IList<string> Sources { get; } = new List<string>();

    /// <summary>The sampler; else <c>OTEL_TRACES_SAMPLER</c> / <c>OTEL_TRACES_SAMPLER_ARG</c>, else parent-based always-on.</summary>
    public Sampler? Sampler { get; set; }

    /// <summary>Where spans go; else <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>, <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, else the protocol's localhost default.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>OTLP over gRPC or HTTP; else <c>OTEL_EXPORTER_OTLP_TRACES_PROTOCOL</c> / <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> (<c>grpc</c>, <c>http/protobuf</c>), else gRPC.</summary>
    public OtlpExportProtocol? Protocol { get; set; }

    /// <summary>Whether spans are exported over OTLP at all (off for tests that add their own processor).</summary>
    public bool ExportOtlp { get; set; } = true;

    /// <summary>How far inbound trace context is trusted.</summary>
    public EdgeTrust EdgeTrust { get; set; } = EdgeTrust.Validate;

    /// <summary>Whether responses carry a <c>traceresponse</c> header naming the server's trace and span.</summary>
    public bool TraceResponse { get; set; }

    /// <summary>Whether outgoing requests carry B3 headers besides W3C ones (for legacy services downstream).</summary>
    public bool InjectB3 { get; set; }

    /// <summary>Baggage keys taken from callers; null takes every key.</summary>
    public ISet<string>? BaggageAllowlist { get; set; }

    /// <summary>The most baggage entries taken from a caller.</summary>
    public int MaxBaggageEntries { get; set; } = 16;

    /// <summary>Anything else for the tracer provider: more processors, instrumentation, exporters.</summary>
    public Action<TracerProviderBuilder>? ConfigureTracing { get; set; }
}

/// <summary>How far a service trusts the trace context its callers send.</summary>
public enum EdgeTrust
{
    /// <summary>Valid W3C (or B3) context is continued; invalid context starts a new trace and its tracestate is dropped.</summary>
    Validate,

    /// <summary>Every request starts a new trace; a valid inbound context is kept only as a link (for public endpoints).</summary>
    Untrusted,
}
