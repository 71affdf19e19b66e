using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Ariadne.Model;

namespace Ariadne.Pipeline.Processors;

/// <summary>What an <see cref="AttributeAction"/> does, as the Collector's attributes processor names it.</summary>
internal enum AttributeActionKind
{
    Insert,
    Update,
    Upsert,
    Delete,
    Hash,
    Extract,
    Convert,
}

/// <summary>
/// One action: on <see cref="Key"/> (or keys matching <see cref="KeyPattern"/> for delete and hash),
/// with a literal <see cref="Value"/> or the value of <see cref="FromAttribute"/>; extract runs
/// <see cref="Pattern"/>'s named groups on the key's string value; convert changes the type.
/// </summary>
internal sealed record AttributeAction(
    AttributeActionKind Kind,
    string? Key,
    Regex? KeyPattern = null,
    object? Value = null,
    string? FromAttribute = null,
    Regex? Pattern = null,
    string? ConvertedType = null);

/// <summary>
/// The Collector's <c>attributes</c> processor for span attributes: actions applied in order to the
/// spans that pass the optional include/exclude match blocks. Hash is SHA-256 (lowercase hex).
/// </summary>
internal sealed class AttributesProcessor : ISpanProcessor
{
    private readonly IReadOnlyList<AttributeAction> _actions;
    private readonly SpanMatch? _include;
    private readonly SpanMatch? _exclude;

    public AttributesProcessor(string id, IReadOnlyList<AttributeAction> actions, SpanMatch? include, SpanMatch? exclude)
    {
        Id = id;
        _actions = actions;
        _include = include;
        _exclude = exclude;
    }

    public string Id { get; }

    public int Process(SpanBatch batch, Span<bool> drop)
    {
        var modified = 0;
        var work = new List<(string Key, AnyValue Value)>();
        for (var i = 0; i < batch.SpanCount; i++)
        {
            if ((_include is not null && !_include.Matches(batch, i)) || (_exclude is not null && _exclude.Matches(batch, i)))
            {
                continue;
            }

            ref var span = ref batch.Spans[i];
            work.Clear();
            foreach (ref readonly var kv in batch.AttributesOf(span.Attributes))
            {
                work.Add((batch.GetString(kv.Key), kv.Value));
            }

            var changed = false;
            foreach (var action in _actions)
            {
                changed |= Apply(batch, action, work);
            }

            if (!changed)
            {
                continue;
            }

            modified++;
            var start = batch.Attributes.Count;
            foreach (var (key, value) in work)
            {
                batch.Attributes.Add(new KeyValue(batch.AddString(key), value));
            }

            span.Attributes = new RowRange(start, work.Count);
        }

        return modified;
    }

    private static bool Apply(SpanBatch batch, AttributeAction action, List<(string Key, AnyValue Value)> work)
    {
        var at = action.Key is null ? -1 : work.FindIndex(a => a.Key == action.Key);
        switch (action.Kind)
        {
            case AttributeActionKind.Insert when at < 0:
            case AttributeActionKind.Update when at >= 0:
            case AttributeActionKind.Upsert:
                if (NewValue(batch, action, work) is not { } value)
                {
                    return false;
                }

                if (at < 0)
                {
                    work.Add((action.Key!, value));
                }
                else
                {
                    work[at] = (action.Key!, value);
                }

                return true;
            case AttributeActionKind.Delete:
                return work.RemoveAll(a => Selected(action, a.Key)) > 0;
            case AttributeActionKind.Hash:
                var hashed = false;
                for (var i = 0; i < work.Count; i++)
                {
                    if (Selected(action, work[i].Key))
                    {
                        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(AttributeText.Of(batch, work[i].Value)));
                        work[i] = (work[i].Key, AnyValue.FromString(batch.AddString(Convert.ToHexStringLower(digest))));
                        hashed = true;
                    }
                }

                return hashed;
            case AttributeActionKind.Extract when at >= 0 && work[at].Value.Kind == ValueKind.String:
                var match = action.Pattern!.Match(batch.GetString(work[at].Value.StringRef));
                if (!match.Success)
                {
                    return false;
                }

                foreach (var name in action.Pattern.GetGroupNames())
                {
                    if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _) && match.Groups[name].Success)
                    {
                        var group = AnyValue.FromString(batch.AddString(match.Groups[name].Value));
                        var existing = work.FindIndex(a => a.Key == name);
                        if (existing < 0)
                        {
                            work.Add((name, group));
                        }
                        else
                        {
                            work[existing] = (name, group);
                        }
                    }
                }

                return true;
            case AttributeActionKind.Convert when at >= 0:
                var text = AttributeText.Of(batch, work[at].Value);
                AnyValue? converted = action.ConvertedType switch
                {
                    "int" when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => AnyValue.FromInt(n),
                    "int" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => AnyValue.FromInt((long)d),
                    "double" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => AnyValue.FromDouble(d),
                    "string" => AnyValue.FromString(batch.AddString(text)),
                    _ => null,
                };
                if (converted is not { } result)
                {
                    return false;
                }

                work[at] = (work[at].Key, result);
                return true;
            default:
                return false;
        }
    }

    private static bool Selected(AttributeAction action, string key) =>
        (action.Key is not null && key == action.Key) || (action.KeyPattern is not null && action.KeyPattern.IsMatch(key));

    private static AnyValue? NewValue(SpanBatch batch, AttributeAction action, List<(string Key, AnyValue Value)> work)
    {
        if (action.FromAttribute is { } from)
        {
            var source = work.FindIndex(a => a.Key == from);
            return source < 0 ? null : work[source].Value;
        }

        return action.Value switch
        {
            bool b => AnyValue.FromBool(b),
            long l => AnyValue.FromInt(l),
            double d => AnyValue.FromDouble(d),
            string s => AnyValue.FromString(batch.AddString(s)),
            _ => null,
        };
    }
}
