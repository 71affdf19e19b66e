using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Ariadne.Model;

namespace Ariadne.Cli.Bench.ClickHouse;

/// <summary>
/// Spans as rows of the span table (<see cref="Schema"/>, modelled on Jaeger v2's ClickHouse schema and
/// adapted to ClickHouse 18.16) in the TabSeparated format: one line per span, fields separated by
/// tabs, arrays as <c>['a','b']</c>, strings escaped with backslashes.
/// </summary>
internal static class ClickHouseSpanRows
{
    /// <summary>
    /// Jaeger v2's span table with what 18.16 lacks adapted: <c>DateTime64(9)</c> becomes nanoseconds in
    /// a <c>UInt64</c>, <c>Bool</c> a <c>UInt8</c>; event and link attributes (a Nested inside a Nested)
    /// become parallel arrays of keys and of values as text; scope attributes and typed resource
    /// attribute groups other than strings are folded into <c>resource_str_attributes</c>; the
    /// <c>bloom_filter</c>/<c>set</c> skipping indexes do not exist in 18.16 and are left out.
    /// </summary>
    public const string Schema = """
        CREATE TABLE spans (
            id String,
            trace_id String,
            trace_state String,
            parent_span_id String,
            name String,
            kind String,
            start_time UInt64,
            status_code String,
            status_message String,
            duration Int64,
            bool_attributes Nested (key String, value UInt8),
            double_attributes Nested (key String, value Float64),
            int_attributes Nested (key String, value Int64),
            str_attributes Nested (key String, value String),
            complex_attributes Nested (key String, value String),
            events Nested (name String, timestamp UInt64, attribute_keys Array(String), attribute_values Array(String)),
            links Nested (trace_id String, span_id String, trace_state String),
            service_name String,
            resource_str_attributes Nested (key String, value String),
            scope_name String,
            scope_version String
        ) ENGINE = MergeTree
        PARTITION BY toDate(intDiv(start_time, 1000000000))
        ORDER BY (trace_id)
        """;

    /// <summary>Fields per row: every column above, a Nested one counting one field per sub-column.</summary>
    public const int FieldCount = 32;

    private static readonly string[] Kinds = ["Unspecified", "Internal", "Server", "Client", "Producer", "Consumer"];
    private static readonly string[] Statuses = ["Unset", "Ok", "Error"];

    /// <summary>Appends every span of <paramref name="batch"/> as a TabSeparated row.</summary>
    public static void Write(SpanBatch batch, IBufferWriter<byte> output)
    {
        var w = new RowWriter(batch, output);
        foreach (ref readonly var span in batch.Spans.Rows)
        {
            w.Row(in span);
        }
    }

    /// <summary>Writes <paramref name="utf8"/> escaped for a TabSeparated field or a quoted array element: backslash, quote, tab, newlines and NUL get a backslash escape.</summary>
    public static void WriteEscaped(ReadOnlySpan<byte> utf8, IBufferWriter<byte> output)
    {
        var destination = output.GetSpan((utf8.Length * 2) + 2);
        var n = 0;
        foreach (var b in utf8)
        {
            var escaped = b switch
            {
                (byte)'\\' => (byte)'\\',
                (byte)'\'' => (byte)'\'',
                (byte)'\t' => (byte)'t',
                (byte)'\n' => (byte)'n',
                (byte)'\r' => (byte)'r',
                0 => (byte)'0',
                _ => (byte)0,
            };
            if (escaped == 0)
            {
                destination[n++] = b;
            }
            else
            {
                destination[n++] = (byte)'\\';
                destination[n++] = escaped;
            }
        }

        output.Advance(n);
    }

    /// <summary>Writes one span's row; the columns are in the order of <see cref="Schema"/>.</summary>
    private readonly ref struct RowWriter(SpanBatch batch, IBufferWriter<byte> output)
    {
        private readonly SpanBatch _batch = batch;
        private readonly IBufferWriter<byte> _output = output;

        public void Row(in SpanRow span)
        {
            Hex(span.SpanId);
            Tab();
            Hex(span.TraceId);
            Tab();
            Text(span.TraceState);
            Tab();
            if (span.ParentSpanId.IsValid)
            {
                Hex(span.ParentSpanId);
            }

            Tab();
            Text(span.Name);
            Tab();
            Ascii(Kinds[(int)span.Kind < Kinds.Length ? (int)span.Kind : 0]);
            Tab();
            Number(span.StartTimeUnixNano);
            Tab();
            Ascii(Statuses[(int)span.StatusCode < Statuses.Length ? (int)span.StatusCode : 0]);
            Tab();
            Text(span.StatusMessage);
            Tab();
            Number(span.EndTimeUnixNano >= span.StartTimeUnixNano ? span.EndTimeUnixNano - span.StartTimeUnixNano : 0);
            var attributes = _batch.AttributesOf(span.Attributes);
            foreach (var kind in (ReadOnlySpan<ValueKind>)[ValueKind.Bool, ValueKind.Double, ValueKind.Int, ValueKind.String])
            {
                Tab();
                Keys(attributes, kind);
                Tab();
                Values(attributes, kind);
            }

            Tab();
            ComplexKeys(attributes);
            Tab();
            ComplexValues(attributes);
            Events(span.Events);
            Links(span.Links);
            Tab();
            var resource = _batch.ResourceOf(in span);
            Text(_batch.ServiceNameOf(in span));
            Tab();
            AllKeys(_batch.AttributesOf(resource.Attributes));
            Tab();
            AllValues(_batch.AttributesOf(resource.Attributes));
            Tab();
            ref var scope = ref _batch.ScopeOf(in span);
            Text(scope.Name);
            Tab();
            Text(scope.Version);
            Raw("\n"u8);
        }

        private static bool IsComplex(ValueKind kind) => kind is not (ValueKind.Bool or ValueKind.Double or ValueKind.Int or ValueKind.String);

        private void Keys(ReadOnlySpan<KeyValue> attributes, ValueKind kind)
        {
            Raw("["u8);
            var first = true;
            foreach (var kv in attributes)
            {
                if (kv.Value.Kind == kind)
                {
                    Separator(ref first);
                    Quoted(_batch.Utf8(kv.Key));
                }
            }

            Raw("]"u8);
        }

        private void Values(ReadOnlySpan<KeyValue> attributes, ValueKind kind)
        {
            Raw("["u8);
            var first = true;
            foreach (var kv in attributes)
            {
                if (kv.Value.Kind != kind)
                {
                    continue;
                }

                Separator(ref first);
                switch (kind)
                {
                    case ValueKind.Bool:
                        Raw(kv.Value.BoolValue ? "1"u8 : "0"u8);
                        break;
                    case ValueKind.Int:
                        Number(kv.Value.IntValue);
                        break;
                    case ValueKind.Double:
                        Ascii(kv.Value.DoubleValue.ToString("R", CultureInfo.InvariantCulture));
                        break;
                    default:
                        Quoted(_batch.Utf8(kv.Value.StringRef));
                        break;
                }
            }

            Raw("]"u8);
        }

        private void ComplexKeys(ReadOnlySpan<KeyValue> attributes)
        {
            Raw("["u8);
            var first = true;
            foreach (var kv in attributes)
            {
                if (IsComplex(kv.Value.Kind))
                {
                    Separator(ref first);
                    Quoted(_batch.Utf8(kv.Key));
                }
            }

            Raw("]"u8);
        }

        private void ComplexValues(ReadOnlySpan<KeyValue> attributes)
        {
            Raw("["u8);
            var first = true;
            foreach (var kv in attributes)
            {
                if (IsComplex(kv.Value.Kind))
                {
                    Separator(ref first);
                    Quoted(Encoding.UTF8.GetBytes(Describe(kv.Value)));
                }
            }

            Raw("]"u8);
        }

        private void AllKeys(ReadOnlySpan<KeyValue> attributes)
        {
            Raw("["u8);
            var first = true;
            foreach (var kv in attributes)
            {
                Separator(ref first);
                Quoted(_batch.Utf8(kv.Key));
            }

            Raw("]"u8);
        }

        private void AllValues(ReadOnlySpan<KeyValue> attributes)
        {
            Raw("["u8);
            var first = true;
            foreach (var kv in attributes)
            {
                Separator(ref first);
                if (kv.Value.Kind == ValueKind.String)
                {
                    Quoted(_batch.Utf8(kv.Value.StringRef));
                }
                else
                {
                    Quoted(Encoding.UTF8.GetBytes(Describe(kv.Value)));
                }
            }

            Raw("]"u8);
        }

        private void Events(RowRange range)
        {
            var events = _batch.Events.Rows.Slice(range.Start, range.Count);
            Tab();
            Raw("["u8);
            for (var i = 0; i < events.Length; i++)
            {
                if (i > 0)
                {
                    Raw(","u8);
                }

                Quoted(_batch.Utf8(events[i].Name));
            }

            Raw("]\t["u8);
            for (var i = 0; i < events.Length; i++)
            {
                if (i > 0)
                {
                    Raw(","u8);
                }

                Number(events[i].TimeUnixNano);
            }

            Raw("]\t["u8);
            for (var i = 0; i < events.Length; i++)
            {
                if (i > 0)
                {
                    Raw(","u8);
                }

                AllKeys(_batch.AttributesOf(events[i].Attributes));
            }

            Raw("]\t["u8);
            for (var i = 0; i < events.Length; i++)
            {
                if (i > 0)
                {
                    Raw(","u8);
                }

                AllValues(_batch.AttributesOf(events[i].Attributes));
            }

            Raw("]"u8);
        }

        private void Links(RowRange range)
        {
            var links = _batch.Links.Rows.Slice(range.Start, range.Count);
            Tab();
            Raw("["u8);
            for (var i = 0; i < links.Length; i++)
            {
                if (i > 0)
                {
                    Raw(","u8);
                }

                Raw("'"u8);
                Hex(links[i].TraceId);
                Raw("'"u8);
            }

            Raw("]\t["u8);
            for (var i = 0; i < links.Length; i++)
            {
                if (i > 0)
                {
                    Raw(","u8);
                }

                Raw("'"u8);
                Hex(links[i].SpanId);
                Raw("'"u8);
            }

            Raw("]\t["u8);
            for (var i = 0; i < links.Length; i++)
            {
                if (i > 0)
                {
                    Raw(","u8);
                }

                Quoted(_batch.Utf8(links[i].TraceState));
            }

            Raw("]"u8);
        }

        /// <summary>Bytes as hex; arrays and key/value lists as a short text, as Jaeger keeps complex values in a string.</summary>
        private string Describe(AnyValue value) => value.Kind switch
        {
            ValueKind.Bytes => Convert.ToHexStringLower(_batch.Utf8(value.StringRef)),
            ValueKind.String => _batch.GetString(value.StringRef),
            ValueKind.Bool => value.BoolValue ? "true" : "false",
            ValueKind.Int => value.IntValue.ToString(CultureInfo.InvariantCulture),
            ValueKind.Double => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
            ValueKind.Array => "[" + string.Join(",", DescribeAll(_batch.ElementsOf(value))) + "]",
            ValueKind.KeyValueList => "{" + string.Join(",", DescribeEntries(_batch.EntriesOf(value))) + "}",
            _ => string.Empty,
        };

        private List<string> DescribeAll(ReadOnlySpan<AnyValue> values)
        {
            var texts = new List<string>(values.Length);
            foreach (var v in values)
            {
                texts.Add(Describe(v));
            }

            return texts;
        }

        private List<string> DescribeEntries(ReadOnlySpan<KeyValue> entries)
        {
            var texts = new List<string>(entries.Length);
            foreach (var kv in entries)
            {
                texts.Add(_batch.GetString(kv.Key) + ":" + Describe(kv.Value));
            }

            return texts;
        }

        private void Separator(ref bool first)
        {
            if (!first)
            {
                Raw(","u8);
            }

            first = false;
        }

        private void Quoted(ReadOnlySpan<byte> utf8)
        {
            Raw("'"u8);
            WriteEscaped(utf8, _output);
            Raw("'"u8);
        }

        private void Text(Utf8Ref value) => WriteEscaped(_batch.Utf8(value), _output);

        private void Tab() => Raw("\t"u8);

        private void Raw(ReadOnlySpan<byte> bytes) => _output.Write(bytes);

        private void Ascii(string text)
        {
            var destination = _output.GetSpan(text.Length);
            var n = Encoding.ASCII.GetBytes(text, destination);
            _output.Advance(n);
        }

        private void Number(ulong value)
        {
            var destination = _output.GetSpan(20);
            Utf8Formatter.TryFormat(value, destination, out var n);
            _output.Advance(n);
        }

        private void Number(long value)
        {
            var destination = _output.GetSpan(20);
            Utf8Formatter.TryFormat(value, destination, out var n);
            _output.Advance(n);
        }

        private void Hex(TraceId id)
        {
            id.FormatUtf8(_output.GetSpan(32));
            _output.Advance(32);
        }

        private void Hex(SpanId id)
        {
            id.FormatUtf8(_output.GetSpan(16));
            _output.Advance(16);
        }
    }
}
