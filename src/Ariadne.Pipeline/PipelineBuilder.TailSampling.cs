using Ariadne.Model;
using Ariadne.Pipeline.Processors;
using Ariadne.Pipeline.TailSampling;

namespace Ariadne.Pipeline;

/// <summary>The <c>tail_sampling</c> processor's settings and policies, as the Collector spells them.</summary>
internal static partial class PipelineBuilder
{
    public static readonly string[] PolicyTypes =
        ["always_sample", "latency", "status_code", "probabilistic", "rate_limiting", "string_attribute", "numeric_attribute", "boolean_attribute", "span_count", "trace_state", "and", "drop", "composite"];

    private static TailSamplingProcessor TailSampling(string id, Settings settings, List<string> errors)
    {
        var path = "processors." + id;
        settings.Only("decision_wait", "num_traces", "expected_new_traces_per_sec", "policies", "decision_cache");
        var wait = settings.Duration("decision_wait", TimeSpan.FromSeconds(30));
        if (wait <= TimeSpan.Zero)
        {
            errors.Add($"{path}.decision_wait: expected a positive duration such as 10s");
        }

        var numTraces = settings.Int("num_traces", 50_000, 1, 100_000_000);
        settings.Long("expected_new_traces_per_sec", 0, 0, 100_000_000);
        var cache = new Settings(settings.Map("decision_cache"), path + ".decision_cache", errors);
        cache.Only("sampled_cache_size", "non_sampled_cache_size");
        var policies = Policies(settings.Maps("policies"), path + ".policies", "policies", errors);
        if (policies.Count == 0)
        {
            errors.Add($"{path}.policies: expected at least one policy");
        }

        var sampler = new TailSampler(
            id,
            wait,
            numTraces,
            policies,
            cache.Int("sampled_cache_size", 100_000, 0, 100_000_000),
            cache.Int("non_sampled_cache_size", 100_000, 0, 100_000_000));
        return new TailSamplingProcessor(sampler);
    }

    private static List<TailPolicy> Policies(List<Dictionary<object, object?>> raw, string path, string listName, List<string> errors)
    {
        var policies = new List<TailPolicy>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < raw.Count; i++)
        {
            var at = $"{path}[{i}]";
            var settings = new Settings(raw[i], at, errors);
            var name = settings.Text("name", string.Empty);
            var type = settings.Text("type", string.Empty);
            settings.Only(["name", "type", .. PolicyTypes]);
            if (name.Length == 0)
            {
                errors.Add($"{at}.name: every policy needs a name");
            }
            else if (!names.Add(name))
            {
                errors.Add($"{at}.name: '{name}' is used twice in {listName}");
            }

            if (!PolicyTypes.Contains(type))
            {
                errors.Add($"{at}.type: unknown policy type '{type}': expected one of {string.Join(", ", PolicyTypes)}");
                continue;
            }

            var body = new Settings(settings.Map(type), $"{at}.{type}", errors);
            if (Policy(name, type, body, $"{at}.{type}", errors) is { } policy)
            {
                policies.Add(policy);
            }
        }

        return policies;
    }

    private static TailPolicy? Policy(string name, string type, Settings body, string at, List<string> errors)
    {
        switch (type)
        {
            case "always_sample":
                body.Only();
                return new AlwaysSamplePolicy(name);
            case "latency":
                body.Only("threshold_ms", "upper_threshold_ms");
                var threshold = body.Long("threshold_ms", 0, 0, long.MaxValue / 2);
                var upper = body.Long("upper_threshold_ms", 0, 0, long.MaxValue / 2);
                if (upper != 0 && upper < threshold)
                {
                    errors.Add($"{at}.upper_threshold_ms: must not be below threshold_ms ({threshold})");
                }

                return new LatencyPolicy(name, threshold, upper);
            case "status_code":
                body.Only("status_codes");
                var codes = new List<StatusCode>();
                foreach (var code in body.List("status_codes"))
                {
                    StatusCode? parsed = code switch { "ERROR" => StatusCode.Error, "OK" => StatusCode.Ok, "UNSET" => StatusCode.Unset, _ => null };
                    if (parsed is { } value)
                    {
                        codes.Add(value);
                    }
                    else
                    {
                        errors.Add($"{at}.status_codes: unknown status code '{code}': expected ERROR, OK or UNSET");
                    }
                }

                if (codes.Count == 0)
                {
                    errors.Add($"{at}.status_codes: expected at least one of ERROR, OK, UNSET");
                }

                return new StatusCodePolicy(name, codes);
            case "probabilistic":
                body.Only("sampling_percentage", "hash_salt");
                return new ProbabilisticPolicy(name, body.Double("sampling_percentage", 0, 0, 100), body.Text("hash_salt", string.Empty));
            case "rate_limiting":
                body.Only("spans_per_second");
                return new RateLimitingPolicy(name, body.Long("spans_per_second", 0, 1, long.MaxValue / 2));
            case "string_attribute":
                body.Only("key", "values", "enabled_regex_matching", "cache_max_size", "invert_match");
                var key = Key(body, at, errors);
                var values = body.List("values");
                if (values.Count == 0)
                {
                    errors.Add($"{at}.values: expected at least one value");
                }

                var regex = body.Bool("enabled_regex_matching", false);
                body.Int("cache_max_size", 0, 0, int.MaxValue);
                try
                {
                    return new StringAttributePolicy(name, key, values, regex, body.Bool("invert_match", false));
                }
                catch (ArgumentException e)
                {
                    errors.Add($"{at}.values: not a valid regular expression: {e.Message}");
                    return null;
                }

            case "numeric_attribute":
                body.Only("key", "min_value", "max_value", "invert_match");
                var numericKey = Key(body, at, errors);
                var min = body.Long("min_value", long.MinValue, long.MinValue, long.MaxValue);
                var max = body.Long("max_value", long.MaxValue, long.MinValue, long.MaxValue);
                if (!body.Has("min_value") && !body.Has("max_value"))
                {
                    errors.Add($"{at}: expected min_value, max_value or both");
                }
                else if (max < min)
                {
                    errors.Add($"{at}.max_value: must not be below min_value ({min})");
                }

                return new NumericAttributePolicy(name, numericKey, min, max, body.Bool("invert_match", false));
            case "boolean_attribute":
                body.Only("key", "value", "invert_match");
                var booleanKey = Key(body, at, errors);
                if (!body.Has("value"))
                {
                    errors.Add($"{at}.value: expected true or false");
                }

                return new BooleanAttributePolicy(name, booleanKey, body.Bool("value", true), body.Bool("invert_match", false));
            case "span_count":
                body.Only("min_spans", "max_spans", "invert_match");
                var minSpans = body.Int("min_spans", 0, 0, int.MaxValue);
                var maxSpans = body.Int("max_spans", 0, 0, int.MaxValue);
                if (maxSpans != 0 && maxSpans < minSpans)
                {
                    errors.Add($"{at}.max_spans: must not be below min_spans ({minSpans})");
                }

                return new SpanCountPolicy(name, minSpans, maxSpans, body.Bool("invert_match", false));
            case "trace_state":
                body.Only("key", "values");
                var stateKey = Key(body, at, errors);
                var stateValues = body.List("values");
                if (stateValues.Count == 0)
                {
                    errors.Add($"{at}.values: expected at least one value");
                }

                return new TraceStatePolicy(name, stateKey, stateValues);
            case "and":
                body.Only("and_sub_policy");
                return new AndPolicy(name, SubPolicies(body, "and_sub_policy", at, errors));
            case "drop":
                body.Only("drop_sub_policy");
                return new DropPolicy(name, SubPolicies(body, "drop_sub_policy", at, errors));
            default:
                body.Only("max_total_spans_per_second", "policy_order", "composite_sub_policy", "rate_allocation");
                var total = body.Long("max_total_spans_per_second", 0, 1, long.MaxValue / 2);
                var subs = SubPolicies(body, "composite_sub_policy", at, errors);
                var byName = subs.ToDictionary(p => p.Name, StringComparer.Ordinal);
                var ordered = new List<TailPolicy>();
                foreach (var policyName in body.List("policy_order"))
                {
                    if (byName.Remove(policyName, out var policy))
                    {
                        ordered.Add(policy);
                    }
                    else
                    {
                        errors.Add($"{at}.policy_order: '{policyName}' is not a composite_sub_policy (or is listed twice)");
                    }
                }

                ordered.AddRange(subs.Where(p => byName.ContainsKey(p.Name)));
                var allocation = new Dictionary<string, double>(StringComparer.Ordinal);
                var allocations = body.Maps("rate_allocation");
                for (var i = 0; i < allocations.Count; i++)
                {
                    var entry = new Settings(allocations[i], $"{at}.rate_allocation[{i}]", errors);
                    entry.Only("policy", "percent");
                    var policyName = entry.Text("policy", string.Empty);
                    if (!subs.Any(p => p.Name == policyName))
                    {
                        errors.Add($"{at}.rate_allocation[{i}].policy: '{policyName}' is not a composite_sub_policy");
                        continue;
                    }

                    allocation[policyName] = entry.Double("percent", 0, 0, 100);
                }

                if (allocation.Values.Sum() > 100)
                {
                    errors.Add($"{at}.rate_allocation: percentages add up to more than 100");
                }

                return new CompositePolicy(name, total, ordered, allocation);
        }
    }

    private static string Key(Settings body, string at, List<string> errors)
    {
        var key = body.Text("key", string.Empty);
        if (key.Length == 0)
        {
            errors.Add($"{at}.key: expected an attribute name");
        }

        return key;
    }

    private static List<TailPolicy> SubPolicies(Settings body, string name, string at, List<string> errors)
    {
        var subs = Policies(body.Maps(name), $"{at}.{name}", name, errors);
        if (subs.Count == 0)
        {
            errors.Add($"{at}.{name}: expected at least one policy");
        }

        return subs;
    }
}
