using Ariadne.Pipeline.Exporters;

namespace Ariadne.Pipeline;

/// <summary>The <c>exporters</c> section: component ids and option names as in the Collector.</summary>
internal static partial class PipelineBuilder
{
    public static readonly string[] ExporterTypes = ["storage", "otlp", "otlphttp", "loadbalancing", "debug", "file"];

    /// <summary>Every configured exporter by id, plus <c>storage</c>, which needs no settings.</summary>
    public static Dictionary<string, ExporterSettings> Exporters(Dictionary<string, Dictionary<object, object?>?>? raw, List<string> errors)
    {
        var exporters = new Dictionary<string, ExporterSettings>(StringComparer.Ordinal) { ["storage"] = new StorageExporterSettings("storage") };
        foreach (var (id, settings) in raw ?? [])
        {
            if (Exporter(id, new Settings(settings, "exporters." + id, errors), errors) is { } exporter)
            {
                exporters[id] = exporter;
            }
        }

        return exporters;
    }

    private static ExporterSettings? Exporter(string id, Settings settings, List<string> errors)
    {
        var path = "exporters." + id;
        switch (id.Split('/')[0])
        {
            case "storage":
                settings.Only();
                return new StorageExporterSettings(id);
            case "otlp":
                settings.Only("endpoint", "tls", "headers", "compression", "timeout", "retry_on_failure", "sending_queue");
                return Otlp(id, settings, path, grpc: true, errors);
            case "otlphttp":
                settings.Only("endpoint", "traces_endpoint", "tls", "headers", "compression", "timeout", "retry_on_failure", "sending_queue");
                return Otlp(id, settings, path, grpc: false, errors);
            case "loadbalancing":
                settings.Only("routing_key", "protocol", "resolver");
                var key = settings.Text("routing_key", "traceID");
                if (key != "traceID")
                {
                    errors.Add($"{path}.routing_key: only traceID is supported (every span of a trace to one backend), got '{key}'");
                }

                var protocol = new Settings(settings.Map("protocol"), path + ".protocol", errors);
                protocol.Only("otlp");
                var template = new Settings(protocol.Map("otlp"), path + ".protocol.otlp", errors);
                template.Only("tls", "headers", "compression", "timeout", "retry_on_failure", "sending_queue");
                var resolver = new Settings(settings.Map("resolver"), path + ".resolver", errors);
                resolver.Only("static");
                var hostnames = new Settings(resolver.Map("static"), path + ".resolver.static", errors);
                hostnames.Only("hostnames");
                var backends = new List<OtlpExporterSettings>();
                foreach (var host in hostnames.List("hostnames").Distinct(StringComparer.Ordinal))
                {
                    if (OtlpWith(template, $"{id}[{host}]", host, path + ".protocol.otlp", grpc: true, errors) is { } backend)
                    {
                        backends.Add(backend);
                    }
                }

                if (backends.Count == 0)
                {
                    errors.Add($"{path}.resolver.static.hostnames: expected at least one host:port");
                }

                return new LoadBalancingExporterSettings(id, backends);
            case "debug":
                settings.Only("verbosity", "sampling_initial", "sampling_thereafter");
                var verbosity = settings.Text("verbosity", "basic");
                if (verbosity is not ("basic" or "normal" or "detailed"))
                {
                    errors.Add($"{path}.verbosity: expected basic, normal or detailed, got '{verbosity}'");
                }

                return new DebugExporterSettings(id, verbosity == "detailed");
            case "file":
                settings.Only("path");
                var file = settings.Text("path", string.Empty);
                if (file.Length == 0)
                {
                    errors.Add($"{path}.path: expected a file to append OTLP JSON lines to");
                }

                return new FileExporterSettings(id, file);
            default:
                errors.Add($"{path}: unknown exporter type '{id.Split('/')[0]}': expected one of {string.Join(", ", ExporterTypes)}");
                return null;
        }
    }

    private static OtlpExporterSettings? Otlp(string id, Settings settings, string path, bool grpc, List<string> errors)
    {
        var endpoint = settings.Text(grpc ? "endpoint" : "traces_endpoint", string.Empty);
        if (!grpc && endpoint.Length == 0 && settings.Text("endpoint", string.Empty) is { Length: > 0 } baseUrl)
        {
            // otlphttp's endpoint is a base URL; the signal's path is added, as the Collector does.
            endpoint = baseUrl.TrimEnd('/') + "/v1/traces";
        }

        if (endpoint.Length == 0)
        {
            errors.Add($"{path}.endpoint: expected {(grpc ? "host:port or http(s)://host:port" : "an http(s) URL")}");
            return null;
        }

        return OtlpWith(settings, id, endpoint, path, grpc, errors);
    }

    private static OtlpExporterSettings? OtlpWith(Settings settings, string id, string endpoint, string path, bool grpc, List<string> errors)
    {
        var tls = new Settings(settings.Map("tls"), path + ".tls", errors);
        tls.Only("insecure", "ca_file", "cert_file", "key_file", "insecure_skip_verify");
        var insecure = tls.Bool("insecure", false);
        var caFile = tls.Text("ca_file", string.Empty);
        var certFile = tls.Text("cert_file", string.Empty);
        var keyFile = tls.Text("key_file", string.Empty);
        if ((certFile.Length == 0) != (keyFile.Length == 0))
        {
            errors.Add($"{path}.tls: cert_file and key_file go together");
        }

        foreach (var (name, file) in new[] { ("ca_file", caFile), ("cert_file", certFile), ("key_file", keyFile) })
        {
            if (file.Length > 0 && !File.Exists(file))
            {
                errors.Add($"{path}.tls.{name}: file not found: {file}");
            }
        }

        ClientTlsSettings? clientTls = caFile.Length + certFile.Length > 0 || tls.Bool("insecure_skip_verify", false)
            ? new ClientTlsSettings(NullIfEmpty(caFile), NullIfEmpty(certFile), NullIfEmpty(keyFile), tls.Bool("insecure_skip_verify", false))
            : null;
        if (!endpoint.Contains("://", StringComparison.Ordinal))
        {
            endpoint = (insecure ? "http://" : "https://") + endpoint;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in settings.Map("headers") ?? [])
        {
            headers[name.ToString()!] = value?.ToString() ?? string.Empty;
        }

        var compression = settings.Text("compression", "gzip");
        if (compression is not ("gzip" or "none" or ""))
        {
            errors.Add($"{path}.compression: expected gzip or none, got '{compression}'");
        }

        var retry = new Settings(settings.Map("retry_on_failure"), path + ".retry_on_failure", errors);
        retry.Only("enabled", "initial_interval", "max_interval", "multiplier", "max_elapsed_time", "randomization_factor");
        var queue = new Settings(settings.Map("sending_queue"), path + ".sending_queue", errors);
        queue.Only("enabled", "max_size_mib", "num_consumers", "queue_size");
        if (!queue.Bool("enabled", true))
        {
            errors.Add($"{path}.sending_queue.enabled: Ariadne's queues are always on and on disk; remove the option");
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            errors.Add($"{path}.endpoint: not an http(s) address: '{endpoint}'");
            return null;
        }

        return new OtlpExporterSettings(
            id,
            grpc,
            uri,
            headers,
            compression == "gzip",
            settings.Duration("timeout", TimeSpan.FromSeconds(5)),
            new RetrySettings(
                retry.Bool("enabled", true),
                retry.Duration("initial_interval", TimeSpan.FromSeconds(5)),
                retry.Duration("max_interval", TimeSpan.FromSeconds(30)),
                retry.Double("multiplier", 1.5, 1, 100),
                retry.Duration("max_elapsed_time", TimeSpan.Zero)),
            new QueueSettings(queue.Long("max_size_mib", 1024, 1, 1 << 30) << 20))
        {
            Tls = clientTls,
        };
    }

    private static string? NullIfEmpty(string text) => text.Length == 0 ? null : text;
}
