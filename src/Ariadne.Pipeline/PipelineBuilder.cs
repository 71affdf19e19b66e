using System.Globalization;
using System.Text.RegularExpressions;
using Ariadne.Pipeline.Processors;

namespace Ariadne.Pipeline;

/// <summary>
/// Turns the <c>processors</c> and <c>service.pipelines</c> sections into pipelines, collecting every
/// error with its path. Without a <c>service</c> section there is one pipeline, <c>traces</c>:
/// receivers <c>otlp</c> and <c>zipkin</c>, processor <c>span_limits</c> (with defaults unless
/// configured), exporter <c>storage</c>.
/// </summary>
internal static partial class PipelineBuilder
{
    public static readonly string[] Receivers = ["otlp", "zipkin"];
    public static readonly string[] ProcessorTypes = ["memory_limiter", "span_limits", "probabilistic_sampler", "redaction", "filter", "attributes", "tail_sampling", "batch"];

    public static List<SpanPipeline> Build(Dictionary<string, Dictionary<object, object?>?>? processors, ServiceOptions? service, List<string> errors) =>
        Build(processors, null, service, errors);

    public static List<SpanPipeline> Build(
        Dictionary<string, Dictionary<object, object?>?>? processors,
        Dictionary<string, Dictionary<object, object?>?>? exporters,
        ServiceOptions? service,
        List<string> errors)
    {
        var exporterSettings = Exporters(exporters, errors);
        processors ??= [];
        var created = new Dictionary<string, ISpanProcessor>(StringComparer.Ordinal);
        foreach (var (id, settings) in processors)
        {
            if (Create(id, settings, errors) is { } processor)
            {
                created[id] = processor;
            }
        }

        var definitions = service?.Pipelines ?? DefaultService().Pipelines!;
        if (!created.ContainsKey("span_limits") && service?.Pipelines is null)
        {
            created["span_limits"] = new SpanLimitsProcessor("span_limits");
        }

        var pipelines = new List<SpanPipeline>();
        var tailOwner = new Dictionary<string, string>(StringComparer.Ordinal);
        var receiverOwner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, definition) in definitions)
        {
            var path = $"service.pipelines.{id}";
            if (id != "traces" && !id.StartsWith("traces/", StringComparison.Ordinal))
            {
                errors.Add($"{path}: Ariadne runs traces pipelines: name it traces or traces/<name>");
                continue;
            }

            if (definition.Receivers.Count == 0)
            {
                errors.Add($"{path}.receivers: expected at least one of {string.Join(", ", Receivers)}");
            }

            foreach (var receiver in definition.Receivers)
            {
                if (!Receivers.Contains(receiver))
                {
                    errors.Add($"{path}.receivers: unknown receiver '{receiver}': expected one of {string.Join(", ", Receivers)}");
                }
                else if (!receiverOwner.TryAdd(receiver, id))
                {
                    errors.Add($"{path}.receivers: '{receiver}' is already in {receiverOwner[receiver]}; a receiver feeds one pipeline");
                }
            }

            var chain = new List<ISpanProcessor>();
            foreach (var processor in definition.Processors)
            {
                if (created.TryGetValue(processor, out var instance))
                {
                    if (instance is TailSamplingProcessor && chain.Any(p => p is TailSamplingProcessor))
                    {
                        errors.Add($"{path}.processors: one tail_sampling per pipeline");
                    }

                    if (instance is TailSamplingProcessor && !tailOwner.TryAdd(processor, id))
                    {
                        errors.Add($"{path}.processors: '{processor}' is already in {tailOwner[processor]}; a tail_sampling processor buffers for one pipeline (define another, e.g. tail_sampling/2)");
                    }

                    chain.Add(instance);
                }
                else
                {
                    errors.Add($"{path}.processors: '{processor}' is not defined under processors");
                }
            }

            var outputs = new List<Exporters.ExporterSettings>();
            if (definition.Exporters.Count == 0)
            {
                errors.Add($"{path}.exporters: expected at least one exporter, such as storage");
            }

            foreach (var exporter in definition.Exporters)
            {
                if (exporterSettings.TryGetValue(exporter, out var settings))
                {
                    outputs.Add(settings);
                }
                else
                {
                    errors.Add($"{path}.exporters: '{exporter}' is not defined under exporters (storage needs no definition)");
                }
            }

            pipelines.Add(new SpanPipeline(id, definition.Receivers, chain) { Exporters = outputs });
        }

        return pipelines;
    }

    /// <summary>The pipeline used when the configuration has no <c>service</c> section.</summary>
    public static ServiceOptions DefaultService() => new()
    {
        Pipelines = new() { ["traces"] = new() { Receivers = [.. Receivers], Processors = ["span_limits"], Exporters = ["storage"] } },
    };

    /// <summary>The settings of the default pipeline's <c>span_limits</c>, as a file would spell them.</summary>
    public static Dictionary<object, object?> DefaultSpanLimits() => new()
    {
        ["max_attributes_per_span"] = "128",
        ["max_events_per_span"] = "128",
        ["max_links_per_span"] = "128",
        ["max_attributes_per_event_or_link"] = "128",
        ["max_attribute_value_length"] = "4096",
    };

    private static ISpanProcessor? Create(string id, Dictionary<object, object?>? raw, List<string> errors)
    {
        var type = id.Split('/')[0];
        var settings = new Settings(raw, "processors." + id, errors);
        switch (type)
        {
            case "span_limits":
                settings.Only("max_attributes_per_span", "max_events_per_span", "max_links_per_span", "max_attributes_per_event_or_link", "max_attribute_value_length");
                return new SpanLimitsProcessor(id)
                {
                    MaxAttributesPerSpan = settings.Int("max_attributes_per_span", 128, 0, 100_000),
                    MaxEventsPerSpan = settings.Int("max_events_per_span", 128, 0, 100_000),
                    MaxLinksPerSpan = settings.Int("max_links_per_span", 128, 0, 100_000),
                    MaxAttributesPerEventOrLink = settings.Int("max_attributes_per_event_or_link", 128, 0, 100_000),
                    MaxAttributeValueLength = settings.Int("max_attribute_value_length", 4096, 1, 16 << 20),
                };
            case "probabilistic_sampler":
                settings.Only("sampling_percentage", "hash_seed", "mode");
                var mode = settings.Text("mode", "hash_seed");
                if (mode != "hash_seed")
                {
                    errors.Add($"processors.{id}.mode: only hash_seed is supported, got '{mode}'");
                }

                return new ProbabilisticSamplerProcessor(id, settings.Double("sampling_percentage", 0, 0, 100), (uint)settings.Long("hash_seed", 0, 0, uint.MaxValue));
            case "redaction":
                settings.Only("profile", "allow_all_keys", "allowed_keys", "ignored_keys", "blocked_values", "hash_function", "summary");
                var profile = settings.Text("profile", string.Empty);
                if (profile is not ("" or RedactionProfile.Default))
                {
                    errors.Add($"processors.{id}.profile: expected default, got '{profile}'");
                }

                var withProfile = profile == RedactionProfile.Default;
                var summary = settings.Text("summary", "info");
                if (summary is not ("silent" or "info" or "debug"))
                {
                    errors.Add($"processors.{id}.summary: expected silent, info or debug, got '{summary}'");
                }

                var hash = settings.Text("hash_function", string.Empty);
                if (hash is not ("" or "sha256" or "sha512"))
                {
                    errors.Add($"processors.{id}.hash_function: expected sha256 or sha512 (md5 and sha1 are broken), got '{hash}'");
                }

                var blocked = new List<System.Text.RegularExpressions.Regex>();
                if (withProfile)
                {
                    blocked.Add(RedactionProfile.Credentials);
                }

                foreach (var (pattern, index) in settings.List("blocked_values").Select((p, i) => (p, i)))
                {
                    try
                    {
                        blocked.Add(new System.Text.RegularExpressions.Regex(pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)));
                    }
                    catch (ArgumentException e)
                    {
                        errors.Add($"processors.{id}.blocked_values[{index}]: not a valid regular expression: {e.Message}");
                    }
                }

                // The profile removes what must go and keeps the rest, so it allows every other key unless told otherwise.
                return new RedactionProcessor(
                    id, settings.Bool("allow_all_keys", withProfile), settings.List("allowed_keys"), settings.List("ignored_keys"), blocked, hash.Length == 0 ? null : hash, summary,
                    withProfile ? RedactionProfile.DroppedKeys : null, maskCardNumbers: withProfile);
            case "filter":
                settings.Only("spans", "traces", "error_mode");
                var errorMode = settings.Text("error_mode", "propagate");
                if (errorMode is not ("ignore" or "silent" or "propagate"))
                {
                    errors.Add($"processors.{id}.error_mode: expected ignore, silent or propagate, got '{errorMode}'");
                }

                var spanSettings = new Settings(settings.Map("spans"), $"processors.{id}.spans", errors);
                spanSettings.Only("include", "exclude");
                var include = Match(spanSettings.Map("include"), $"processors.{id}.spans.include", errors);
                var exclude = Match(spanSettings.Map("exclude"), $"processors.{id}.spans.exclude", errors);
                var traces = new Settings(settings.Map("traces"), $"processors.{id}.traces", errors);
                traces.Only("span");
                var conditions = new List<OttlCondition>();
                var texts = traces.List("span");
                for (var i = 0; i < texts.Count; i++)
                {
                    if (OttlCondition.TryParse(texts[i], out var condition, out var error))
                    {
                        conditions.Add(condition!);
                    }
                    else
                    {
                        errors.Add($"processors.{id}.traces.span[{i}]: {error}");
                    }
                }

                if (include is null && exclude is null && texts.Count == 0)
                {
                    errors.Add($"processors.{id}: expected OTTL conditions under traces.span, or a spans include or exclude block");
                }

                return new FilterProcessor(id, include, exclude, conditions);
            case "memory_limiter":
                settings.Only("check_interval", "limit_mib", "spike_limit_mib", "limit_percentage", "spike_limit_percentage");
                var interval = settings.Duration("check_interval", TimeSpan.Zero);
                if (interval <= TimeSpan.Zero)
                {
                    errors.Add($"processors.{id}.check_interval: expected a positive duration such as 1s");
                }

                var total = (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >> 20);
                var limit = settings.Has("limit_percentage")
                    ? total * settings.Long("limit_percentage", 0, 1, 100) / 100
                    : settings.Long("limit_mib", 0, 1, 1 << 30);
                var spike = settings.Has("spike_limit_percentage")
                    ? total * settings.Long("spike_limit_percentage", 0, 0, 100) / 100
                    : settings.Long("spike_limit_mib", limit / 5, 0, 1 << 30);
                if (limit <= 0)
                {
                    errors.Add($"processors.{id}: limit_mib or limit_percentage is required");
                }
                else if (spike >= limit)
                {
                    errors.Add($"processors.{id}.spike_limit_mib: must be less than the limit ({limit} MiB)");
                }

                return new MemoryLimiterProcessor(id, limit << 20, spike << 20, interval);
            case "attributes":
                settings.Only("actions", "include", "exclude");
                var actions = Actions(settings.Maps("actions"), $"processors.{id}.actions", errors);
                if (actions.Count == 0)
                {
                    errors.Add($"processors.{id}.actions: expected at least one action");
                }

                return new AttributesProcessor(id, actions, Match(settings.Map("include"), $"processors.{id}.include", errors), Match(settings.Map("exclude"), $"processors.{id}.exclude", errors));
            case "tail_sampling":
                return TailSampling(id, settings, errors);
            case "batch":
                settings.Only("send_batch_size", "send_batch_max_size", "timeout", "metadata_keys", "metadata_cardinality_limit");
                var size = settings.Int("send_batch_size", 8192, 1, 10_000_000);
                var max = settings.Int("send_batch_max_size", 0, 0, 10_000_000);
                if (max != 0 && max < size)
                {
                    errors.Add($"processors.{id}.send_batch_max_size: must be 0 or at least send_batch_size ({size})");
                }

                return new BatchProcessor(id, size, max, settings.Duration("timeout", TimeSpan.FromMilliseconds(200)));
            default:
                errors.Add($"processors.{id}: unknown processor type '{type}': expected one of {string.Join(", ", ProcessorTypes)}");
                return null;
        }
    }

    private static List<AttributeAction> Actions(List<Dictionary<object, object?>> raw, string path, List<string> errors)
    {
        var actions = new List<AttributeAction>();
        for (var i = 0; i < raw.Count; i++)
        {
            var at = $"{path}[{i}]";
            var settings = new Settings(raw[i], at, errors);
            settings.Only("key", "action", "value", "from_attribute", "pattern", "converted_type");
            var key = settings.Text("key", string.Empty);
            var kindText = settings.Text("action", string.Empty);
            AttributeActionKind? kind = kindText switch
            {
                "insert" => AttributeActionKind.Insert,
                "update" => AttributeActionKind.Update,
                "upsert" => AttributeActionKind.Upsert,
                "delete" => AttributeActionKind.Delete,
                "hash" => AttributeActionKind.Hash,
                "extract" => AttributeActionKind.Extract,
                "convert" => AttributeActionKind.Convert,
                _ => null,
            };
            if (kind is not { } action)
            {
                errors.Add($"{at}.action: expected insert, update, upsert, delete, hash, extract or convert, got '{kindText}'");
                continue;
            }

            var patternText = settings.Text("pattern", string.Empty);
            Regex? pattern = null;
            if (patternText.Length > 0)
            {
                try
                {
                    // Go's named groups (?P<name>…) are .NET's (?<name>…).
                    pattern = new Regex(patternText.Replace("(?P<", "(?<", StringComparison.Ordinal), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
                }
                catch (ArgumentException e)
                {
                    errors.Add($"{at}.pattern: not a valid regular expression: {e.Message}");
                    continue;
                }
            }

            var from = settings.Text("from_attribute", string.Empty);
            var value = settings.Scalar("value");
            switch (action)
            {
                case AttributeActionKind.Insert or AttributeActionKind.Update or AttributeActionKind.Upsert:
                    if (key.Length == 0 || (value is null == (from.Length == 0)))
                    {
                        errors.Add($"{at}: {kindText} needs a key and exactly one of value or from_attribute");
                        continue;
                    }

                    actions.Add(new AttributeAction(action, key, Value: value, FromAttribute: from.Length == 0 ? null : from));
                    break;
                case AttributeActionKind.Delete or AttributeActionKind.Hash:
                    if (key.Length == 0 && pattern is null)
                    {
                        errors.Add($"{at}: {kindText} needs a key or a pattern");
                        continue;
                    }

                    actions.Add(new AttributeAction(action, key.Length == 0 ? null : key, KeyPattern: pattern));
                    break;
                case AttributeActionKind.Extract:
                    if (key.Length == 0 || pattern is null)
                    {
                        errors.Add($"{at}: extract needs a key and a pattern with named groups");
                        continue;
                    }

                    actions.Add(new AttributeAction(action, key, Pattern: pattern));
                    break;
                default:
                    var type = settings.Text("converted_type", string.Empty);
                    if (key.Length == 0 || type is not ("int" or "double" or "string"))
                    {
                        errors.Add($"{at}: convert needs a key and converted_type int, double or string");
                        continue;
                    }

                    actions.Add(new AttributeAction(action, key, ConvertedType: type));
                    break;
            }
        }

        return actions;
    }

    private static SpanMatch? Match(Dictionary<object, object?>? raw, string path, List<string> errors)
    {
        if (raw is null)
        {
            return null;
        }

        var settings = new Settings(raw, path, errors);
        settings.Only("match_type", "services", "span_names", "span_kinds", "attributes", "resources");
        var matchType = settings.Text("match_type", "strict");
        if (matchType is not ("strict" or "regexp"))
        {
            errors.Add($"{path}.match_type: expected strict or regexp, got '{matchType}'");
        }

        var kinds = new List<Model.SpanKind>();
        foreach (var kind in settings.List("span_kinds"))
        {
            Model.SpanKind? parsed = kind switch
            {
                "SPAN_KIND_UNSPECIFIED" => Model.SpanKind.Unspecified,
                "SPAN_KIND_INTERNAL" => Model.SpanKind.Internal,
                "SPAN_KIND_SERVER" => Model.SpanKind.Server,
                "SPAN_KIND_CLIENT" => Model.SpanKind.Client,
                "SPAN_KIND_PRODUCER" => Model.SpanKind.Producer,
                "SPAN_KIND_CONSUMER" => Model.SpanKind.Consumer,
                _ => null,
            };
            if (parsed is { } value)
            {
                kinds.Add(value);
            }
            else
            {
                errors.Add($"{path}.span_kinds: unknown kind '{kind}': expected SPAN_KIND_SERVER, SPAN_KIND_CLIENT, SPAN_KIND_PRODUCER, SPAN_KIND_CONSUMER, SPAN_KIND_INTERNAL or SPAN_KIND_UNSPECIFIED");
            }
        }

        var regexp = matchType == "regexp";
        try
        {
            return new SpanMatch(regexp, settings.List("services"), settings.List("span_names"), kinds, settings.KeyValues("attributes"), settings.KeyValues("resources"));
        }
        catch (ArgumentException e)
        {
            errors.Add($"{path}: not a valid regular expression: {e.Message}");
            return null;
        }
    }

    /// <summary>A processor's settings as YAML gave them (strings), read with path-named errors.</summary>
    private sealed class Settings(Dictionary<object, object?>? raw, string path, List<string> errors)
    {
        public void Only(params string[] known)
        {
            if (raw is null)
            {
                return;
            }

            foreach (var key in raw.Keys)
            {
                if (!known.Contains(key as string))
                {
                    errors.Add($"{path}: unknown key '{key}': expected one of {string.Join(", ", known)}");
                }
            }
        }

        public string Text(string name, string fallback) =>
            raw is not null && raw.TryGetValue(name, out var value) && value is string text ? text : fallback;

        public bool Has(string name) => raw is not null && raw.TryGetValue(name, out var value) && value is not null;

        /// <summary>A duration as the Collector writes them: 500ms, 1s, 5m.</summary>
        public TimeSpan Duration(string name, TimeSpan fallback)
        {
            var text = Text(name, string.Empty);
            if (text.Length == 0)
            {
                return fallback;
            }

            var unit = text.TrimStart("0123456789.".ToCharArray());
            var number = text[..^unit.Length];
            double? factor = unit switch { "ms" => 1, "s" => 1000, "m" => 60_000, "h" => 3_600_000, _ => null };
            if (factor is { } f && double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
            {
                return TimeSpan.FromMilliseconds(amount * f);
            }

            errors.Add($"{path}.{name}: expected a duration such as 500ms, 1s or 5m, got '{text}'");
            return fallback;
        }

        public bool Bool(string name, bool fallback)
        {
            if (raw is null || !raw.TryGetValue(name, out var value) || value is null)
            {
                return fallback;
            }

            if (value is string text && bool.TryParse(text, out var flag))
            {
                return flag;
            }

            errors.Add($"{path}.{name}: expected true or false, got '{value}'");
            return fallback;
        }

        public Dictionary<object, object?>? Map(string name)
        {
            if (raw is null || !raw.TryGetValue(name, out var value) || value is null)
            {
                return null;
            }

            if (value is Dictionary<object, object?> map)
            {
                return map;
            }

            if (value is Dictionary<object, object> plain)
            {
                return plain.ToDictionary(p => p.Key, p => (object?)p.Value);
            }

            errors.Add($"{path}.{name}: expected a mapping");
            return null;
        }

        /// <summary>A list of <c>{key, value}</c> entries (value optional).</summary>
        public List<(string Key, string? Value)> KeyValues(string name)
        {
            var result = new List<(string, string?)>();
            if (raw is null || !raw.TryGetValue(name, out var value) || value is null)
            {
                return result;
            }

            if (value is not List<object> items)
            {
                errors.Add($"{path}.{name}: expected a list of {{key, value}}");
                return result;
            }

            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is Dictionary<object, object> entry && entry.TryGetValue("key", out var key) && key is string k)
                {
                    result.Add((k, entry.TryGetValue("value", out var v) ? v as string : null));
                }
                else
                {
                    errors.Add($"{path}.{name}[{i}]: expected {{key: …, value: …}}");
                }
            }

            return result;
        }

        /// <summary>A scalar as YAML would type it: true/false, a whole number, a number, else the string.</summary>
        public object? Scalar(string name)
        {
            if (raw is null || !raw.TryGetValue(name, out var value) || value is not string text)
            {
                return null;
            }

            return text switch
            {
                "true" => true,
                "false" => false,
                _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
                _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
                _ => text,
            };
        }

        public List<Dictionary<object, object?>> Maps(string name)
        {
            var result = new List<Dictionary<object, object?>>();
            if (raw is null || !raw.TryGetValue(name, out var value) || value is null)
            {
                return result;
            }

            if (value is not List<object> items || !items.All(i => i is Dictionary<object, object>))
            {
                errors.Add($"{path}.{name}: expected a list of mappings");
                return result;
            }

            foreach (Dictionary<object, object> item in items)
            {
                result.Add(item.ToDictionary(p => p.Key, p => (object?)p.Value));
            }

            return result;
        }

        public List<string> List(string name)
        {
            if (raw is null || !raw.TryGetValue(name, out var value) || value is null)
            {
                return [];
            }

            if (value is List<object> items && items.All(i => i is string))
            {
                return [.. items.Cast<string>()];
            }

            errors.Add($"{path}.{name}: expected a list of strings");
            return [];
        }

        public int Int(string name, int fallback, int min, int max) => (int)Long(name, fallback, min, max);

        public long Long(string name, long fallback, long min, long max)
        {
            if (raw is null || !raw.TryGetValue(name, out var value) || value is null)
            {
                return fallback;
            }

            if (value is string text && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
            {
                return number;
            }

            errors.Add($"{path}.{name}: expected a whole number from {min} to {max}, got '{value}'");
            return fallback;
        }

        public double Double(string name, double fallback, double min, double max)
        {
            if (raw is null || !raw.TryGetValue(name, out var value) || value is null)
            {
                return fallback;
            }

            if (value is string text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
            {
                return number;
            }

            errors.Add($"{path}.{name}: expected a number from {min} to {max}, got '{value}'");
            return fallback;
        }
    }
}
