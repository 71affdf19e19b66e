using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Ariadne.Model;

namespace Ariadne.Pipeline.Processors;

/// <summary>
/// A boolean OTTL condition on a span, as the Collector's filter processor takes them under
/// <c>traces.span</c>. The subset: <c>and</c>, <c>or</c>, <c>not</c>, parentheses; comparisons
/// <c>== != &lt; &lt;= &gt; &gt;=</c>; <c>IsMatch(path, "regex")</c>; literals (strings, integers,
/// floats, <c>true</c>/<c>false</c>, <c>nil</c>, <c>SPAN_KIND_*</c>, <c>STATUS_CODE_*</c>); paths
/// <c>name</c>, <c>kind</c>, <c>status.code</c>, <c>status.message</c>, <c>trace_state</c>,
/// <c>trace_id.string</c>, <c>span_id.string</c>, <c>parent_span_id.string</c>,
/// <c>start_time_unix_nano</c>, <c>end_time_unix_nano</c>, <c>attributes["k"]</c>,
/// <c>resource.attributes["k"]</c>, <c>instrumentation_scope.name</c>, <c>instrumentation_scope.version</c>.
/// A comparison between values of different kinds is false (numbers compare across int and float).
/// </summary>
internal sealed class OttlCondition
{
    private static readonly Dictionary<string, long> Enums = new(StringComparer.Ordinal)
    {
        ["SPAN_KIND_UNSPECIFIED"] = 0,
        ["SPAN_KIND_INTERNAL"] = 1,
        ["SPAN_KIND_SERVER"] = 2,
        ["SPAN_KIND_CLIENT"] = 3,
        ["SPAN_KIND_PRODUCER"] = 4,
        ["SPAN_KIND_CONSUMER"] = 5,
        ["STATUS_CODE_UNSET"] = 0,
        ["STATUS_CODE_OK"] = 1,
        ["STATUS_CODE_ERROR"] = 2,
    };

    private static readonly string[] Paths =
    [
        "name", "kind", "status.code", "status.message", "trace_state", "trace_id.string", "span_id.string", "parent_span_id.string",
        "start_time_unix_nano", "end_time_unix_nano", "instrumentation_scope.name", "instrumentation_scope.version",
    ];

    private readonly Func<SpanBatch, int, bool> _test;

    private OttlCondition(string text, Func<SpanBatch, int, bool> test)
    {
        Text = text;
        _test = test;
    }

    public string Text { get; }

    public bool Matches(SpanBatch batch, int index) => _test(batch, index);

    /// <summary>Parses a condition; the error names the position (1-based) and what was expected.</summary>
    public static bool TryParse(string text, out OttlCondition? condition, out string error)
    {
        var parser = new Parser(text);
        try
        {
            var test = parser.Or();
            parser.End();
            condition = new OttlCondition(text, test);
            error = string.Empty;
            return true;
        }
        catch (FormatException e)
        {
            condition = null;
            error = e.Message;
            return false;
        }
    }

    private sealed class Parser(string text)
    {
        private int _position;

        public void End()
        {
            SkipSpace();
            if (_position < text.Length)
            {
                Fail($"unexpected '{text[_position..]}'");
            }
        }

        public Func<SpanBatch, int, bool> Or()
        {
            var left = And();
            while (Keyword("or"))
            {
                var l = left;
                var r = And();
                left = (b, i) => l(b, i) || r(b, i);
            }

            return left;
        }

        private Func<SpanBatch, int, bool> And()
        {
            var left = Unary();
            while (Keyword("and"))
            {
                var l = left;
                var r = Unary();
                left = (b, i) => l(b, i) && r(b, i);
            }

            return left;
        }

        private Func<SpanBatch, int, bool> Unary()
        {
            if (Keyword("not"))
            {
                var inner = Unary();
                return (b, i) => !inner(b, i);
            }

            SkipSpace();
            if (Peek('('))
            {
                _position++;
                var inner = Or();
                Expect(')');
                return inner;
            }

            if (Keyword("IsMatch"))
            {
                Expect('(');
                var value = Value();
                Expect(',');
                var pattern = Value()(null!, 0) as string ?? Fail<string>("IsMatch expects a string pattern as its second argument");
                Expect(')');
                Regex regex;
                try
                {
                    regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
                }
                catch (ArgumentException e)
                {
                    return Fail<Func<SpanBatch, int, bool>>($"invalid regular expression: {e.Message}");
                }

                return (b, i) => value(b, i) is { } v && SafeMatch(regex, Convert.ToString(v, CultureInfo.InvariantCulture)!);
            }

            var left = Value();
            SkipSpace();
            var op = Operator();
            if (op is null)
            {
                // A bare boolean (a path holding a bool, or true/false).
                return (b, i) => left(b, i) is true;
            }

            var right = Value();
            return (b, i) => Compare(left(b, i), op, right(b, i));
        }

        /// <summary>A pattern that runs too long on some value does not match it (the span is kept).</summary>
        private static bool SafeMatch(Regex regex, string value)
        {
            try
            {
                return regex.IsMatch(value);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }

        private string? Operator()
        {
            foreach (var op in new[] { "==", "!=", "<=", ">=", "<", ">" })
            {
                if (string.CompareOrdinal(text, _position, op, 0, op.Length) == 0)
                {
                    _position += op.Length;
                    return op;
                }
            }

            return null;
        }

        private static bool Compare(object? left, string op, object? right)
        {
            if (left is null || right is null)
            {
                return op switch { "==" => left is null && right is null, "!=" => (left is null) != (right is null), _ => false };
            }

            int? order = (left, right) switch
            {
                (string a, string b) => string.CompareOrdinal(a, b),
                (bool a, bool b) => a == b ? 0 : null,
                (long a, long b) => a.CompareTo(b),
                (long a, double b) => ((double)a).CompareTo(b),
                (double a, long b) => a.CompareTo(b),
                (double a, double b) => a.CompareTo(b),
                _ => null,
            };
            return op switch
            {
                "==" => order == 0,
                "!=" => order != 0,
                "<" => order < 0,
                "<=" => order <= 0,
                ">" => order > 0,
                _ => order >= 0,
            };
        }

        private Func<SpanBatch, int, object?> Value()
        {
            SkipSpace();
            if (_position >= text.Length)
            {
                return Fail<Func<SpanBatch, int, object?>>("expected a value or a path");
            }

            if (text[_position] == '"')
            {
                var literal = StringLiteral();
                return (_, _) => literal;
            }

            if (char.IsAsciiDigit(text[_position]) || text[_position] == '-')
            {
                var start = _position++;
                while (_position < text.Length && (char.IsAsciiDigit(text[_position]) || text[_position] is '.' or 'e' or 'E' or '+' or '-'))
                {
                    _position++;
                }

                var number = text[start.._position];
                if (long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                {
                    return (_, _) => integer;
                }

                if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
                {
                    return (_, _) => real;
                }

                _position = start;
                return Fail<Func<SpanBatch, int, object?>>($"'{number}' is not a number");
            }

            var wordStart = _position;
            while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] is '_' or '.'))
            {
                _position++;
            }

            var word = text[wordStart.._position];
            switch (word)
            {
                case "true":
                    return (_, _) => true;
                case "false":
                    return (_, _) => false;
                case "nil":
                    return (_, _) => null;
                case "attributes" or "resource.attributes":
                    var key = Encoding.UTF8.GetBytes(Index());
                    var resource = word.StartsWith("resource", StringComparison.Ordinal);
                    return (b, i) => Attribute(b, resource ? b.ResourceOf(b.Spans[i]).Attributes : b.Spans[i].Attributes, key);
            }

            if (Enums.TryGetValue(word, out var enumValue))
            {
                return (_, _) => enumValue;
            }

            if (Array.IndexOf(Paths, word) < 0)
            {
                _position = wordStart;
                return Fail<Func<SpanBatch, int, object?>>(
                    $"unknown path '{word}': expected {string.Join(", ", Paths)}, attributes[\"…\"] or resource.attributes[\"…\"], a literal, or an enum such as SPAN_KIND_SERVER");
            }

            return word switch
            {
                "name" => (b, i) => b.GetString(b.Spans[i].Name),
                "kind" => (b, i) => (long)b.Spans[i].Kind,
                "status.code" => (b, i) => (long)b.Spans[i].StatusCode,
                "status.message" => (b, i) => b.GetString(b.Spans[i].StatusMessage),
                "trace_state" => (b, i) => b.GetString(b.Spans[i].TraceState),
                "trace_id.string" => (b, i) => b.Spans[i].TraceId.ToString(),
                "span_id.string" => (b, i) => b.Spans[i].SpanId.ToString(),
                "parent_span_id.string" => (b, i) => b.Spans[i].ParentSpanId.IsValid ? b.Spans[i].ParentSpanId.ToString() : string.Empty,
                "start_time_unix_nano" => (b, i) => (long)b.Spans[i].StartTimeUnixNano,
                "end_time_unix_nano" => (b, i) => (long)b.Spans[i].EndTimeUnixNano,
                "instrumentation_scope.name" => (b, i) => b.GetString(b.ScopeOf(b.Spans[i]).Name),
                _ => (b, i) => b.GetString(b.ScopeOf(b.Spans[i]).Version),
            };
        }

        private static object? Attribute(SpanBatch batch, RowRange attributes, byte[] key)
        {
            foreach (ref readonly var attribute in batch.AttributesOf(attributes))
            {
                if (batch.StringEquals(attribute.Key, key))
                {
                    var value = attribute.Value;
                    return value.Kind switch
                    {
                        ValueKind.String => batch.GetString(value.StringRef),
                        ValueKind.Int => value.IntValue,
                        ValueKind.Double => value.DoubleValue,
                        ValueKind.Bool => value.BoolValue,
                        _ => null,
                    };
                }
            }

            return null;
        }

        private string Index()
        {
            Expect('[');
            SkipSpace();
            var key = Peek('"') ? StringLiteral() : Fail<string>("expected a quoted attribute name");
            Expect(']');
            return key;
        }

        private string StringLiteral()
        {
            var start = _position++;
            var value = new StringBuilder();
            while (_position < text.Length && text[_position] != '"')
            {
                if (text[_position] == '\\' && _position + 1 < text.Length)
                {
                    _position++;
                }

                value.Append(text[_position++]);
            }

            if (_position >= text.Length)
            {
                _position = start;
                return Fail<string>("unterminated string");
            }

            _position++;
            return value.ToString();
        }

        private bool Keyword(string word)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _position, word, 0, word.Length) != 0)
            {
                return false;
            }

            var end = _position + word.Length;
            if (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
            {
                return false;
            }

            _position = end;
            return true;
        }

        private bool Peek(char c) => _position < text.Length && text[_position] == c;

        private void Expect(char c)
        {
            SkipSpace();
            if (!Peek(c))
            {
                Fail($"expected '{c}'");
            }

            _position++;
        }

        private void SkipSpace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private void Fail(string message) => Fail<bool>(message);

        private T Fail<T>(string message) =>
            throw new FormatException($"at {_position + 1}: {message}");
    }
}
