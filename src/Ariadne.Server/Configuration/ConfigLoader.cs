using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Ariadne.Server.Configuration;

/// <summary>Reads the YAML file strictly: an unknown key is an error naming its line and column.</summary>
internal static class ConfigLoader
{
    /// <summary>How deep mappings and lists may nest in a configuration file.</summary>
    public const int MaxNesting = 64;

    public static AriadneOptions Load(string? path)
    {
        if (path is null)
        {
            return Validate(new AriadneOptions());
        }

        if (!File.Exists(path))
        {
            throw new ConfigurationException($"{path}: configuration file not found");
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static AriadneOptions Parse(string yaml, string sourceName) => Parse(yaml, sourceName, Environment.GetEnvironmentVariable);

    public static AriadneOptions Parse(string yaml, string sourceName, Func<string, string?> environment)
    {
        yaml = EnvironmentSubstitution.Apply(yaml, sourceName, environment);
        // A key left empty ("dimensions:") would otherwise set null where the options promise a value,
        // and validation would fail on it with a NullReferenceException instead of naming the line.
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .WithTypeConverter(new DurationYamlConverter())
            .WithEnforceNullability()
            .WithTypeConverter(new ApiKeyYamlConverter())
            .Build();
        AriadneOptions? options;
        try
        {
            CheckNesting(yaml, sourceName);
            options = deserializer.Deserialize<AriadneOptions?>(yaml);
        }
        catch (YamlException e)
        {
            throw new ConfigurationException($"{sourceName}:{e.Start.Line}:{e.Start.Column}: {Describe(e)}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet lets these out for some malformed streams (a document end followed by stray
            // bytes) rather than a YamlException; they are still a file that is not valid YAML.
            throw new ConfigurationException($"{sourceName}: not valid YAML: {e.Message}", e);
        }

        options ??= new AriadneOptions();
        if (EmptyListEntries.Find(options) is { } empty)
        {
            throw new ConfigurationException($"{sourceName}: {empty}: empty list entry");
        }

        return Validate(options);
    }

    /// <summary>
    /// Refuses collections nested deeper than any configuration needs before the deserializer sees
    /// them: it recurses once per level, and a file of nothing but opening brackets would overflow the
    /// stack and end the process. The event parser used here keeps its own stack, so it does not.
    /// </summary>
    private static void CheckNesting(string yaml, string sourceName)
    {
        var parser = new YamlDotNet.Core.Parser(new StringReader(yaml));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                    if (++depth > MaxNesting)
                    {
                        throw new ConfigurationException(
                            $"{sourceName}:{parser.Current.Start.Line}:{parser.Current.Start.Column}: collections nested deeper than {MaxNesting} levels");
                    }

                    break;
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    depth--;
                    break;
            }
        }
    }

    private static string Describe(YamlException e)
    {
        // YamlDotNet wraps the interesting message (e.g. "Property 'x' not found on type 'Y'") in an inner exception.
        var message = e.InnerException is YamlException inner ? inner.Message : e.InnerException?.Message ?? e.Message;
        const string NotFound = "not found on type";
        var at = message.IndexOf(NotFound, StringComparison.Ordinal);
        if (message.StartsWith("Property '", StringComparison.Ordinal) && at > 0)
        {
            var key = message[10..message.IndexOf('\'', 10)];
            return $"unknown key '{key}'";
        }

        return message;
    }

    private static AriadneOptions Validate(AriadneOptions options)
    {
        var errors = new List<string>();
        CheckEndpoint(errors, "receivers.otlp.protocols.grpc.endpoint", options.Receivers.Otlp.Protocols.Grpc.Endpoint);
        CheckEndpoint(errors, "receivers.otlp.protocols.http.endpoint", options.Receivers.Otlp.Protocols.Http.Endpoint);
        CheckEndpoint(errors, "receivers.zipkin.endpoint", options.Receivers.Zipkin.Endpoint);
        CheckEndpoint(errors, "query.endpoint", options.Query.Endpoint);
        CheckEndpoint(errors, "query.tempo_endpoint", options.Query.TempoEndpoint);
        if (options.Sampling is { } sampling)
        {
            CheckSampling(errors, sampling);
        }

        CheckAnalysis(errors, options.Analysis);
        CheckAuth(errors, options);
        CheckOverrides(errors, options.Overrides);
        if (options.Receivers.Otlp.Protocols.Grpc.MaxRecvMsgSizeMib is <= 0 or > 1024)
        {
            errors.Add("receivers.otlp.protocols.grpc.max_recv_msg_size_mib: expected a number from 1 to 1024");
        }

        if (options.Receivers.Otlp.Protocols.Http.MaxRequestBodySize is <= 0 or > 1L << 30)
        {
            errors.Add("receivers.otlp.protocols.http.max_request_body_size: expected a number of bytes from 1 to 1073741824");
        }

        if (options.Receivers.Zipkin.MaxRequestBodySize is <= 0 or > 1L << 30)
        {
            errors.Add("receivers.zipkin.max_request_body_size: expected a number of bytes from 1 to 1073741824");
        }

        if (string.IsNullOrWhiteSpace(options.Storage.Path))
        {
            errors.Add("storage.path: expected a directory");
        }

        if (options.Storage.WalSegmentSizeMib is <= 0 or > 4096)
        {
            errors.Add("storage.wal_segment_size_mib: expected a number from 1 to 4096");
        }

        if (options.Storage.Block.MaxHeadSpans <= 0)
        {
            errors.Add("storage.block.max_head_spans: expected a positive number");
        }

        if (options.Storage.Block.CutBlockSpans <= 0)
        {
            errors.Add("storage.block.cut_block_spans: expected a positive number");
        }

        if (options.Storage.Block.MaxDuration <= TimeSpan.Zero)
        {
            errors.Add("storage.block.max_duration: expected a positive duration such as 00:05:00");
        }

        if (options.Storage.Block.TraceIdlePeriod < TimeSpan.Zero)
        {
            errors.Add("storage.block.trace_idle_period: expected a duration of 0 or more, such as 10s");
        }

        if (options.Storage.Compaction.MaxBlockBytes < 1024 * 1024)
        {
            errors.Add("storage.compaction.max_block_bytes: expected at least 1048576");
        }

        if (options.Storage.Compaction.MinBlocks < 2)
        {
            errors.Add("storage.compaction.min_blocks: expected at least 2");
        }

        if (options.Storage.Compaction.Interval <= TimeSpan.Zero || options.Storage.Retention.MaxAge <= TimeSpan.Zero)
        {
            errors.Add("storage.compaction.interval and storage.retention.max_age: expected positive durations");
        }

        if (options.Storage.Retention.MaxBytes < 0)
        {
            errors.Add("storage.retention.max_bytes: expected 0 (no cap) or a positive number of bytes");
        }

        CheckTls(errors, "receivers.otlp.protocols.grpc.tls", options.Receivers.Otlp.Protocols.Grpc.Tls);
        CheckTls(errors, "receivers.otlp.protocols.http.tls", options.Receivers.Otlp.Protocols.Http.Tls);
        CheckTls(errors, "receivers.zipkin.tls", options.Receivers.Zipkin.Tls);
        CheckTls(errors, "query.tls", options.Query.Tls);
        if (options.Query.MaxSearchLimit is <= 0 or > 100_000)
        {
            errors.Add("query.max_search_limit: expected a number from 1 to 100000");
        }

        if (options.Query.MaxSpansPerSpanSet is <= 0 or > 10_000)
        {
            errors.Add("query.max_spans_per_span_set: expected a number from 1 to 10000");
        }

        if (options.Query.SearchTimeout <= TimeSpan.Zero)
        {
            errors.Add("query.search_timeout: expected a positive duration such as 30s");
        }

        var ports = new Dictionary<int, string>();
        foreach (var (name, endpoint) in new[]
        {
            ("receivers.otlp.protocols.grpc.endpoint", options.Receivers.Otlp.Protocols.Grpc.Endpoint),
            ("receivers.otlp.protocols.http.endpoint", options.Receivers.Otlp.Protocols.Http.Endpoint),
            ("receivers.zipkin.endpoint", options.Receivers.Zipkin.Endpoint),
            ("query.endpoint", options.Query.Endpoint),
            ("query.tempo_endpoint", options.Query.TempoEndpoint),
            ("sampling.endpoint", options.Sampling?.Endpoint ?? string.Empty),
        })
        {
            if (ListenEndpoint.TryParse(endpoint, out var parsed))
            {
                if (ports.TryGetValue(parsed.Port, out var other))
                {
                    errors.Add($"{name}: port {parsed.Port} is already used by {other}");
                }
                else
                {
                    ports[parsed.Port] = name;
                }
            }
        }

        Pipeline.PipelineBuilder.Build(options.Processors, options.Exporters, options.Service, errors);
        if (errors.Count > 0)
        {
            throw new ConfigurationException(string.Join(Environment.NewLine, errors));
        }

        return options;
    }

    private static void CheckSampling(List<string> errors, SamplingOptions sampling)
    {
        CheckEndpoint(errors, "sampling.endpoint", sampling.Endpoint);
        CheckStrategy(errors, "sampling.default_strategy", sampling.DefaultStrategy.Type, sampling.DefaultStrategy.Param);
        for (var i = 0; i < sampling.ServiceStrategies.Count; i++)
        {
            var service = sampling.ServiceStrategies[i];
            var path = $"sampling.service_strategies[{i}]";
            if (service.Service.Length == 0)
            {
                errors.Add($"{path}.service: expected a service name");
            }

            CheckStrategy(errors, path, service.Type, service.Param);
            for (var j = 0; j < service.OperationStrategies.Count; j++)
            {
                var operation = service.OperationStrategies[j];
                if (operation.Type != "probabilistic")
                {
                    errors.Add($"{path}.operation_strategies[{j}].type: operation strategies are probabilistic, got '{operation.Type}'");
                }

                CheckStrategy(errors, $"{path}.operation_strategies[{j}]", "probabilistic", operation.Param);
            }
        }

        var adaptive = sampling.Adaptive;
        if (adaptive.TargetTracesPerSecond <= 0)
        {
            errors.Add("sampling.adaptive.target_traces_per_second: expected a positive number");
        }

        if (adaptive.MinSamplingProbability is <= 0 or > 1)
        {
            errors.Add("sampling.adaptive.min_sampling_probability: expected a number above 0 and at most 1");
        }

        if (adaptive.CalculationInterval <= TimeSpan.Zero)
        {
            errors.Add("sampling.adaptive.calculation_interval: expected a positive duration such as 60s");
        }
    }

    private static void CheckAuth(List<string> errors, AriadneOptions options)
    {
        foreach (var (side, keys) in new[] { ("auth.ingest.keys", options.Auth.Ingest.Keys), ("auth.query.keys", options.Auth.Query.Keys) })
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < keys.Count; i++)
            {
                var key = keys[i];
                if (string.IsNullOrWhiteSpace(key.Key))
                {
                    errors.Add($"{side}[{i}]: expected a non-empty key (an unset ${{ENV}} variable gives an empty one)");
                    continue;
                }

                if (key.Key.Length > 4096 || key.Key.Trim().Length != key.Key.Length || key.Key.Any(char.IsControl))
                {
                    errors.Add($"{side}[{i}]: a key has at most 4096 characters, no control characters and no leading or trailing spaces");
                }

                if (!seen.Add(key.Key))
                {
                    errors.Add($"{side}[{i}]: the same key is listed twice");
                }

                if (key.Tenant is { } tenant)
                {
                    if (!options.MultitenancyEnabled)
                    {
                        errors.Add($"{side}[{i}].tenant: binding a key to a tenant needs multitenancy_enabled: true");
                    }
                    else if (Tenancy.TenantId.Problem(tenant) is { } problem)
                    {
                        errors.Add($"{side}[{i}].tenant: {problem}");
                    }
                }
            }
        }

        if (options.Auth.SessionLifetime < TimeSpan.FromMinutes(1) || options.Auth.SessionLifetime > TimeSpan.FromDays(31))
        {
            errors.Add("auth.session_lifetime: expected a duration from 1m to 31d, such as 12h");
        }

        if (options.MultitenancyEnabled && options.Processors is { } processors)
        {
            foreach (var id in processors.Keys)
            {
                if (id == "tail_sampling" || id.StartsWith("tail_sampling/", StringComparison.Ordinal))
                {
                    errors.Add($"processors.{id}: tail sampling buffers traces of every tenant together and is not available with multitenancy_enabled: true");
                }
            }
        }
    }

    private static void CheckOverrides(List<string> errors, OverridesOptions overrides)
    {
        CheckLimits(errors, "overrides.defaults", overrides.Defaults);
        foreach (var (tenant, limits) in overrides.PerTenant)
        {
            if (Tenancy.TenantId.Problem(tenant) is { } problem)
            {
                errors.Add($"overrides.per_tenant.{tenant}: {problem}");
            }

            if (limits is null)
            {
                errors.Add($"overrides.per_tenant.{tenant}: empty; give at least one limit, or remove the tenant");
                continue;
            }

            CheckLimits(errors, $"overrides.per_tenant.{tenant}", limits);
        }
    }

    private static void CheckLimits(List<string> errors, string path, TenantLimitsOptions limits)
    {
        if (limits.IngestionRateSpans is < 0 || limits.IngestionRateBytes is < 0)
        {
            errors.Add($"{path}.ingestion_rate_spans and ingestion_rate_bytes: expected 0 (no limit) or a positive rate per second");
        }

        if (limits.MaxLiveTraces is < 0 || limits.MaxSpansPerTrace is < 0 || limits.MaxSearchLimit is < 0)
        {
            errors.Add($"{path}.max_live_traces, max_spans_per_trace and max_search_limit: expected 0 (no limit) or a positive number");
        }

        if (limits.MaxSearchDuration is { } duration && duration < TimeSpan.Zero)
        {
            errors.Add($"{path}.max_search_duration: expected 0 (no limit) or a positive duration such as 24h");
        }

        if (limits.RetentionMaxAge is { } age && age <= TimeSpan.Zero)
        {
            errors.Add($"{path}.retention_max_age: expected a positive duration such as 7d");
        }
    }

    private static void CheckAnalysis(List<string> errors, AnalysisOptions analysis)
    {
        var spans = analysis.SpanMetrics;
        if (spans.MaxSeries is <= 0 or > 1_000_000)
        {
            errors.Add("analysis.span_metrics.max_series: expected a number from 1 to 1000000");
        }

        var names = new HashSet<string>(StringComparer.Ordinal) { "service.name", "span.name", "span.kind", "status.code" };
        for (var i = 0; i < spans.Dimensions.Count; i++)
        {
            var name = spans.Dimensions[i].Name;
            if (string.IsNullOrWhiteSpace(name))
            {
                errors.Add($"analysis.span_metrics.dimensions[{i}].name: expected an attribute name");
            }
            else if (!names.Add(name))
            {
                errors.Add($"analysis.span_metrics.dimensions[{i}].name: '{name}' is already a dimension");
            }
        }

        CheckBuckets(errors, "analysis.span_metrics.histogram_buckets", spans.HistogramBuckets);
        var graph = analysis.ServiceGraph;
        if (graph.Wait <= TimeSpan.Zero || graph.Wait > TimeSpan.FromHours(1))
        {
            errors.Add("analysis.service_graph.wait: expected a positive duration up to 1h, such as 10s");
        }

        if (graph.MaxItems is <= 0 or > 10_000_000)
        {
            errors.Add("analysis.service_graph.max_items: expected a number from 1 to 10000000");
        }

        if (graph.MaxEdges is <= 0 or > 1_000_000)
        {
            errors.Add("analysis.service_graph.max_edges: expected a number from 1 to 1000000");
        }

        if (graph.MaxTrackedSpans is <= 0 or > 100_000_000)
        {
            errors.Add("analysis.service_graph.max_tracked_spans: expected a number from 1 to 100000000");
        }

        if (graph.DependenciesRetention < TimeSpan.FromMinutes(1) || graph.DependenciesRetention > TimeSpan.FromDays(31))
        {
            errors.Add("analysis.service_graph.dependencies_retention: expected a duration from 1m to 31d");
        }

        CheckBuckets(errors, "analysis.service_graph.histogram_buckets", graph.HistogramBuckets);
    }

    private static void CheckBuckets(List<string> errors, string path, List<TimeSpan>? buckets)
    {
        if (buckets is null)
        {
            return;
        }

        if (buckets.Count is 0 or > 100)
        {
            errors.Add($"{path}: expected 1 to 100 bounds");
            return;
        }

        for (var i = 0; i < buckets.Count; i++)
        {
            if (buckets[i] <= TimeSpan.Zero || (i > 0 && buckets[i] <= buckets[i - 1]))
            {
                errors.Add($"{path}: expected positive durations in increasing order, such as [2ms, 4ms, 10ms]");
                return;
            }
        }
    }

    private static void CheckStrategy(List<string> errors, string path, string type, double param)
    {
        if (type is not ("probabilistic" or "ratelimiting"))
        {
            errors.Add($"{path}.type: expected probabilistic or ratelimiting, got '{type}'");
        }
        else if (type == "probabilistic" && param is < 0 or > 1)
        {
            errors.Add($"{path}.param: a probability is from 0 to 1, got {param.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }
        else if (type == "ratelimiting" && param is < 0 or > 1_000_000)
        {
            errors.Add($"{path}.param: traces per second from 0 to 1000000, got {param.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }
    }

    private static void CheckEndpoint(List<string> errors, string name, string endpoint)
    {
        if (!ListenEndpoint.TryParse(endpoint, out _))
        {
            errors.Add($"{name}: expected host:port with a port from 1 to 65535, got '{endpoint}'");
        }
    }

    private static void CheckTls(List<string> errors, string name, TlsServerOptions? tls)
    {
        if (tls is null)
        {
            return;
        }

        if (string.IsNullOrEmpty(tls.CertFile) || string.IsNullOrEmpty(tls.KeyFile))
        {
            errors.Add($"{name}: cert_file and key_file are both required");
            return;
        }

        if (!File.Exists(tls.CertFile))
        {
            errors.Add($"{name}.cert_file: file not found: {tls.CertFile}");
        }

        if (!File.Exists(tls.KeyFile))
        {
            errors.Add($"{name}.key_file: file not found: {tls.KeyFile}");
        }

        if (tls.RequireClientCert && string.IsNullOrEmpty(tls.ClientCaFile))
        {
            errors.Add($"{name}.require_client_cert: needs client_ca_file, the CA that signs the client certificates");
        }

        if (!string.IsNullOrEmpty(tls.ClientCaFile) && !File.Exists(tls.ClientCaFile))
        {
            errors.Add($"{name}.client_ca_file: file not found: {tls.ClientCaFile}");
        }
    }
}
