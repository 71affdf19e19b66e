namespace Ariadne.Pipeline.Exporters;

/// <summary>One configured exporter, by id (<c>type</c> or <c>type/name</c>).</summary>
internal abstract record ExporterSettings(string Id)
{
    public string Type => Id.Split('/')[0];
}

/// <summary><c>storage</c>: the embedded storage.</summary>
internal sealed record StorageExporterSettings(string Id) : ExporterSettings(Id);

/// <summary>How a queued exporter retries (the Collector's <c>retry_on_failure</c>).</summary>
internal sealed record RetrySettings(bool Enabled, TimeSpan InitialInterval, TimeSpan MaxInterval, double Multiplier, TimeSpan MaxElapsedTime);

/// <summary>The persistent queue (the Collector's <c>sending_queue</c>, always on disk here).</summary>
internal sealed record QueueSettings(long MaxBytes);

/// <summary>
/// <c>otlp</c> (gRPC) and <c>otlphttp</c>: send to another OTLP backend. <see cref="Endpoint"/> is
/// the gRPC server's base address, or the full OTLP/HTTP traces URL.
/// </summary>
internal sealed record OtlpExporterSettings(
    string Id,
    bool Grpc,
    Uri Endpoint,
    IReadOnlyDictionary<string, string> Headers,
    bool Gzip,
    TimeSpan Timeout,
    RetrySettings Retry,
    QueueSettings Queue) : ExporterSettings(Id)
{
    /// <summary>Client certificate and server verification for https endpoints; null: system defaults.</summary>
    public ClientTlsSettings? Tls { get; init; }
}

/// <summary><c>loadbalancing</c>: every span of a trace to the same backend, chosen by consistent hashing of the trace id.</summary>
internal sealed record LoadBalancingExporterSettings(string Id, IReadOnlyList<OtlpExporterSettings> Backends) : ExporterSettings(Id);

/// <summary><c>debug</c>: a line per batch (<c>basic</c>) or also one per span (<c>detailed</c>), on standard output.</summary>
internal sealed record DebugExporterSettings(string Id, bool Detailed) : ExporterSettings(Id);

/// <summary><c>file</c>: OTLP JSON, one <c>TracesData</c> per line.</summary>
internal sealed record FileExporterSettings(string Id, string Path) : ExporterSettings(Id);
