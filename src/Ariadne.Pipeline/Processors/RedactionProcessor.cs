using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Ariadne.Model;

namespace Ariadne.Pipeline.Processors;

/// <summary>
/// The Collector's <c>redaction</c> processor, for span and event attributes: keys not allowed are
/// removed (unless <see cref="AllowAllKeys"/>); parts of string values matching a blocked pattern are
/// replaced by <c>****</c>, or by their hash with <see cref="HashFunction"/>; ignored keys are left
/// alone. With summary <c>info</c> the span records how many keys were removed and values masked
/// (<c>redaction.redacted.count</c>, <c>redaction.masked.count</c>), with <c>debug</c> also which
/// (<c>redaction.redacted.keys</c>, <c>redaction.masked.keys</c>). Dropped keys (the profile
/// <see cref="RedactionProfile.Default"/>'s credential headers) are removed even when every key is
/// allowed, and card-number candidates are masked only when they pass the Luhn check.
/// </summary>
internal sealed class RedactionProcessor : ISpanProcessor
{
    public const string Mask = "****";

    private readonly HashSet<string> _allowed;
    private readonly HashSet<string> _ignored;
    private readonly Regex[] _blocked;
    private readonly HashSet<string> _dropped;
    private readonly bool _maskCardNumbers;
    private readonly MatchEvaluator _replace;
    private readonly MatchEvaluator _replaceCard;

    public RedactionProcessor(
        string id, bool allowAllKeys, IEnumerable<string> allowedKeys, IEnumerable<string> ignoredKeys, IEnumerable<Regex> blockedValues, string? hashFunction, string summary,
        IEnumerable<string>? droppedKeys = null, bool maskCardNumbers = false)
    {
        Id = id;
        _dropped = new HashSet<string>(droppedKeys ?? [], StringComparer.OrdinalIgnoreCase);
        _maskCardNumbers = maskCardNumbers;
        _replace = match => Replacement(match.Value);
        _replaceCard = match => RedactionProfile.PassesLuhn(match.ValueSpan) ? Replacement(match.Value) : match.Value;
        AllowAllKeys = allowAllKeys;
        _allowed = new HashSet<string>(allowedKeys, StringComparer.Ordinal);
        _ignored = new HashSet<string>(ignoredKeys, StringComparer.Ordinal);
        _blocked = [.. blockedValues];
        HashFunction = hashFunction;
        Summary = summary;
    }

    public string Id { get; }

    public bool AllowAllKeys { get; }

    /// <summary>null: mask with <see cref="Mask"/>; sha256 or sha512: replace with the lowercase hex hash (md5 and sha1 are not offered: they are broken).</summary>
    public string? HashFunction { get; }

    /// <summary>silent, info or debug.</summary>
    public string Summary { get; }

    public int Process(SpanBatch batch, Span<bool> drop)
    {
        var modified = 0;
        var redacted = new List<string>();
        var masked = new List<string>();
        for (var i = 0; i < batch.SpanCount; i++)
        {
            redacted.Clear();
            masked.Clear();
            ref var span = ref batch.Spans[i];
            var attributes = Redact(batch, span.Attributes, redacted, masked);
            for (var e = 0; e < span.Events.Count; e++)
            {
                ref var row = ref batch.Events[span.Events.Start + e];
                row.Attributes = Redact(batch, row.Attributes, redacted, masked);
            }

            if (redacted.Count + masked.Count == 0)
            {
                span.Attributes = attributes;
                continue;
            }

            modified++;
            span.Attributes = Summary == "silent" ? attributes : WithSummary(batch, attributes, redacted, masked);
        }

        return modified;
    }

    /// <summary>Removes disallowed keys and masks blocked values in place; returns the (shorter) range.</summary>
    private RowRange Redact(SpanBatch batch, RowRange range, List<string> redacted, List<string> masked)
    {
        var kept = 0;
        var rows = batch.Attributes.Rows;
        for (var a = 0; a < range.Count; a++)
        {
            var kv = rows[range.Start + a];
            var key = batch.GetString(kv.Key);
            if (!_ignored.Contains(key))
            {
                if ((!AllowAllKeys && !_allowed.Contains(key)) || _dropped.Contains(key))
                {
                    redacted.Add(key);
                    continue;
                }

                if (kv.Value.Kind == ValueKind.String && (_blocked.Length > 0 || _maskCardNumbers))
                {
                    var text = batch.GetString(kv.Value.StringRef);
                    var replaced = text;
                    foreach (var pattern in _blocked)
                    {
                        replaced = pattern.Replace(replaced, _replace);
                    }

                    if (_maskCardNumbers)
                    {
                        replaced = RedactionProfile.CardNumberCandidate.Replace(replaced, _replaceCard);
                    }

                    if (!ReferenceEquals(replaced, text) && replaced != text)
                    {
                        kv.Value = AnyValue.FromString(batch.AddString(replaced));
                        rows = batch.Attributes.Rows;
                        masked.Add(key);
                    }
                }
            }

            rows[range.Start + kept++] = kv;
        }

        return new RowRange(range.Start, kept);
    }

    private string Replacement(string value)
    {
        if (HashFunction is null)
        {
            return Mask;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        var hash = HashFunction == "sha512" ? SHA512.HashData(bytes) : SHA256.HashData(bytes);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The kept attributes followed by the summary, copied to the end of the attribute table.</summary>
    private RowRange WithSummary(SpanBatch batch, RowRange kept, List<string> redacted, List<string> masked)
    {
        var start = batch.Attributes.Count;
        for (var a = 0; a < kept.Count; a++)
        {
            batch.Attributes.Add(batch.Attributes[kept.Start + a]);
        }

        if (Summary == "debug" && redacted.Count > 0)
        {
            redacted.Sort(StringComparer.Ordinal);
            batch.Attributes.Add(new KeyValue(batch.AddString("redaction.redacted.keys"), AnyValue.FromString(batch.AddString(string.Join(',', redacted)))));
        }

        batch.Attributes.Add(new KeyValue(batch.AddString("redaction.redacted.count"), AnyValue.FromInt(redacted.Count)));
        if (Summary == "debug" && masked.Count > 0)
        {
            masked.Sort(StringComparer.Ordinal);
            batch.Attributes.Add(new KeyValue(batch.AddString("redaction.masked.keys"), AnyValue.FromString(batch.AddString(string.Join(',', masked)))));
        }

        batch.Attributes.Add(new KeyValue(batch.AddString("redaction.masked.count"), AnyValue.FromInt(masked.Count)));
        return new RowRange(start, batch.Attributes.Count - start);
    }
}
