using System.Text;
using System.Text.RegularExpressions;
using Ariadne.Model;
using Ariadne.Storage.Blocks;
using Ariadne.Storage.Blocks.V1;

namespace Ariadne.Storage.Search;

/// <summary>
/// One condition on a span, in storage terms. It is checked at three levels, each cheaper than the
/// next: a block's meta.json, a page's index entry and string table, and finally the span rows.
/// A check above the rows only answers "cannot match" when that is certain.
/// </summary>
internal sealed partial class SpanPredicate
{
    private readonly byte[]? _key;
    private readonly byte[]? _stringValue;
    private readonly Regex? _regex;
    private readonly long? _textInt;
    private readonly double? _textDouble;
    private readonly bool? _textBool;

    private SpanPredicate(SpanField field, string? attributeKey, PredicateOperator op, PredicateValueKind kind, string? text, long integer, double real)
    {
        Field = field;
        AttributeKey = attributeKey;
        Operator = op;
        ValueKind = kind;
        Text = text;
        Integer = integer;
        Real = real;
        _key = attributeKey is null ? null : Encoding.UTF8.GetBytes(attributeKey);
        if (kind == PredicateValueKind.Text)
        {
            _stringValue = Encoding.UTF8.GetBytes(text!);
            _textInt = long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : null;
            _textDouble = double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : null;
            _textBool = bool.TryParse(text, out var b) ? b : null;
        }

        if (kind == PredicateValueKind.String)
        {
            _stringValue = Encoding.UTF8.GetBytes(text!);
            if (op == PredicateOperator.Matches)
            {
                _regex = new Regex(text!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
        }
    }

    public SpanField Field { get; }

    public string? AttributeKey { get; }

    public PredicateOperator Operator { get; }

    public PredicateValueKind ValueKind { get; }

    public string? Text { get; }

    public long Integer { get; }

    public double Real { get; }

    private bool IsAttribute => Field is SpanField.SpanAttribute or SpanField.ResourceAttribute or SpanField.AnyAttribute;

    public static SpanPredicate Exists(SpanField field, string? attributeKey = null) =>
        Create(field, attributeKey, PredicateOperator.Exists, PredicateValueKind.None, null, 0, 0);

    public static SpanPredicate String(SpanField field, PredicateOperator op, string value, string? attributeKey = null) =>
        Create(field, attributeKey, op, PredicateValueKind.String, value, 0, 0);

    /// <summary>Equal (or not) to the text form of the value, whatever its type: <c>500</c> matches the int 500 and the string "500".</summary>
    public static SpanPredicate Textual(SpanField field, PredicateOperator op, string value, string? attributeKey = null) =>
        op is PredicateOperator.Equal or PredicateOperator.NotEqual
            ? Create(field, attributeKey, op, PredicateValueKind.Text, value, 0, 0)
            : throw new ArgumentException("text compares for equality only", nameof(op));

    public static SpanPredicate Int(SpanField field, PredicateOperator op, long value, string? attributeKey = null) =>
        Create(field, attributeKey, op, PredicateValueKind.Int, null, value, value);

    public static SpanPredicate Double(SpanField field, PredicateOperator op, double value, string? attributeKey = null) =>
        Create(field, attributeKey, op, PredicateValueKind.Double, null, (long)value, value);

    public static SpanPredicate Bool(SpanField field, PredicateOperator op, bool value, string? attributeKey = null) =>
        Create(field, attributeKey, op, PredicateValueKind.Bool, null, value ? 1 : 0, 0);

    public static SpanPredicate Status(PredicateOperator op, StatusCode value) =>
        Create(SpanField.Status, null, op, PredicateValueKind.Int, null, (long)value, (double)value);

    public static SpanPredicate Kind(PredicateOperator op, SpanKind value) =>
        Create(SpanField.Kind, null, op, PredicateValueKind.Int, null, (long)value, (double)value);

    private static SpanPredicate Create(SpanField field, string? key, PredicateOperator op, PredicateValueKind kind, string? text, long integer, double real)
    {
        var isAttribute = field is SpanField.SpanAttribute or SpanField.ResourceAttribute or SpanField.AnyAttribute;
        if (isAttribute != key is not null)
        {
            throw new ArgumentException(isAttribute ? "an attribute predicate needs a key" : "only attribute predicates take a key", nameof(key));
        }

        if ((op == PredicateOperator.Exists) != (kind == PredicateValueKind.None))
        {
            throw new ArgumentException("exists takes no value; every other operator takes one", nameof(op));
        }

        if (op == PredicateOperator.Matches && kind != PredicateValueKind.String)
        {
            throw new ArgumentException("only strings match a regular expression", nameof(op));
        }

        return new SpanPredicate(field, key, op, kind, text, integer, real);
    }

    /// <summary>False only when no span of the block can match, judged from its meta.json.</summary>
    public bool MayMatch(BlockMeta meta)
    {
        if (Operator != PredicateOperator.Equal || ValueKind != PredicateValueKind.String)
        {
            return Field != SpanField.SpanAttribute || !IsComplete(meta.AttributeKeys) || Contains(meta.AttributeKeys, AttributeKey!);
        }

        return Field switch
        {
            SpanField.ServiceName => !IsComplete(meta.Services) || Contains(meta.Services, Text!),
            SpanField.Name => !IsComplete(meta.SpanNames) || Contains(meta.SpanNames, Text!),
            SpanField.SpanAttribute => !IsComplete(meta.AttributeKeys) || Contains(meta.AttributeKeys, AttributeKey!),
            _ => true,
        };
    }

    /// <summary>False only when no span of the page can match, judged from its index entry.</summary>
    public bool MayMatch(in PageIndexEntry page)
    {
        if (ValueKind != PredicateValueKind.Int && ValueKind != PredicateValueKind.Double)
        {
            return true;
        }

        switch (Field)
        {
            case SpanField.Status when Operator == PredicateOperator.Equal:
                return page.MayHaveStatus((StatusCode)Integer);
            case SpanField.Kind when Operator == PredicateOperator.Equal:
                return page.MayHaveKind((SpanKind)Integer);
            case SpanField.Duration:
                var longest = (double)page.MaxDurationNanos;
                return Operator switch
                {
                    PredicateOperator.Greater => longest > Real,
                    PredicateOperator.GreaterOrEqual or PredicateOperator.Equal => longest >= Real,
                    _ => true,
                };
            default:
                return true;
        }
    }

    /// <summary>False only when no span of the page can match, judged from the page's string table and dedicated keys.</summary>
    public bool MayMatchStrings(StoredPage page)
    {
        var strings = page.Column((int)PageColumns.Strings);
        if (IsAttribute)
        {
            // Keys are strings of the table or keys of dedicated columns; a page without the key cannot
            // match any comparison on it.
            if (page.FindDedicated(_key) < 0 && !PageDecoder.AnyString(strings, _key!, static (key, s) => s.SequenceEqual(key)))
            {
                return false;
            }
        }

        if (ValueKind != PredicateValueKind.String || Field is SpanField.Status or SpanField.Kind or SpanField.Duration)
        {
            return true;
        }

        return Operator switch
        {
            PredicateOperator.Equal => PageDecoder.AnyString(strings, _stringValue!, static (value, s) => s.SequenceEqual(value)),
            PredicateOperator.Matches => PageDecoder.AnyString(strings, _regex!, static (regex, s) => regex.IsMatch(Encoding.UTF8.GetString(s))),
            _ => true,
        };
    }

    /// <summary>Whether the span (row <paramref name="index"/> of <paramref name="batch"/>) meets the predicate.</summary>
    public bool Matches(SpanBatch batch, int index)
    {
        ref readonly var span = ref batch.Spans[index];
        switch (Field)
        {
            case SpanField.ServiceName:
                return CompareString(batch, batch.ServiceNameOf(span));
            case SpanField.Name:
                return CompareString(batch, span.Name);
            case SpanField.StatusMessage:
                return CompareString(batch, span.StatusMessage);
            case SpanField.Status:
                return Operator == PredicateOperator.Exists || CompareNumber((long)span.StatusCode);
            case SpanField.Kind:
                return Operator == PredicateOperator.Exists || CompareNumber((long)span.Kind);
            case SpanField.Duration:
                return Operator == PredicateOperator.Exists || CompareNumber((double)span.DurationNanos);
            case SpanField.SpanAttribute:
                return MatchesAttribute(batch, span.Attributes);
            case SpanField.ResourceAttribute:
                return MatchesAttribute(batch, ResourceAttributes(batch, span));
            case SpanField.AnyAttribute:
                return MatchesAttribute(batch, span.Attributes) || MatchesAttribute(batch, ResourceAttributes(batch, span));
            default:
                return false;
        }
    }

    private static RowRange ResourceAttributes(SpanBatch batch, in SpanRow span) =>
        batch.Resources[batch.Scopes[span.ScopeIndex].ResourceIndex].Attributes;

    private bool MatchesAttribute(SpanBatch batch, RowRange attributes)
    {
        foreach (ref readonly var kv in batch.AttributesOf(attributes))
        {
            if (!batch.Utf8(kv.Key).SequenceEqual(_key))
            {
                continue;
            }

            if (Operator == PredicateOperator.Exists)
            {
                return true;
            }

            var value = kv.Value;
            if (ValueKind == PredicateValueKind.Text)
            {
                return CompareOrder(CompareText(batch, value) ? 0 : 1);
            }

            switch (value.Kind)
            {
                case Model.ValueKind.String:
                    return CompareString(batch, value.StringRef);
                case Model.ValueKind.Int:
                    return ValueKind is PredicateValueKind.Int or PredicateValueKind.Double && CompareNumber(value.IntValue);
                case Model.ValueKind.Double:
                    return ValueKind is PredicateValueKind.Int or PredicateValueKind.Double && CompareNumber(value.DoubleValue);
                case Model.ValueKind.Bool:
                    return ValueKind == PredicateValueKind.Bool && CompareOrder((value.BoolValue ? 1 : 0).CompareTo((int)Integer));
                default:
                    return false;
            }
        }

        return false;
    }

    /// <summary>Whether the value's text form is the predicate's text.</summary>
    private bool CompareText(SpanBatch batch, AnyValue value) => value.Kind switch
    {
        Model.ValueKind.String => batch.Utf8(value.StringRef).SequenceEqual(_stringValue),
        Model.ValueKind.Int => _textInt == value.IntValue,
        Model.ValueKind.Double => _textDouble == value.DoubleValue,
        Model.ValueKind.Bool => _textBool == value.BoolValue,
        _ => false,
    };

    private bool CompareString(SpanBatch batch, Utf8Ref value)
    {
        if (Operator == PredicateOperator.Exists)
        {
            return !value.IsEmpty;
        }

        if (ValueKind is not (PredicateValueKind.String or PredicateValueKind.Text))
        {
            return false;
        }

        var bytes = batch.Utf8(value);
        return Operator == PredicateOperator.Matches
            ? _regex!.IsMatch(Encoding.UTF8.GetString(bytes))
            : CompareOrder(bytes.SequenceCompareTo(_stringValue));
    }

    private bool CompareNumber(long value) =>
        ValueKind == PredicateValueKind.Int ? CompareOrder(value.CompareTo(Integer)) : CompareNumber((double)value);

    private bool CompareNumber(double value) =>
        ValueKind is PredicateValueKind.Int or PredicateValueKind.Double && CompareOrder(value.CompareTo(Real));

    private bool CompareOrder(int comparison) => Operator switch
    {
        PredicateOperator.Equal => comparison == 0,
        PredicateOperator.NotEqual => comparison != 0,
        PredicateOperator.Less => comparison < 0,
        PredicateOperator.LessOrEqual => comparison <= 0,
        PredicateOperator.Greater => comparison > 0,
        PredicateOperator.GreaterOrEqual => comparison >= 0,
        _ => false,
    };

    private static bool IsComplete(IReadOnlyList<string> listed) => listed.Count < BlockWriterV1.MaxListedValues;

    private static bool Contains(IReadOnlyList<string> sorted, string value)
    {
        int lo = 0, hi = sorted.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = string.CompareOrdinal(sorted[mid], value);
            if (c == 0)
            {
                return true;
            }

            if (c < 0)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return false;
    }

    public override string ToString() =>
        $"{Field}{(AttributeKey is null ? "" : "." + AttributeKey)} {Operator} {(ValueKind == PredicateValueKind.String ? Text : ValueKind == PredicateValueKind.Double ? Real.ToString(System.Globalization.CultureInfo.InvariantCulture) : Integer.ToString(System.Globalization.CultureInfo.InvariantCulture))}";
}
