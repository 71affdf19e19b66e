using System.Globalization;
using System.Text;
using Ariadne.Model;

namespace Ariadne.Protocols.Tests.Otlp.Json;

/// <summary>
/// A batch as canonical text, resource by resource and scope by scope in the order an encoder groups
/// them, with every reference resolved. Two batches that mean the same spans have the same text, however
/// their rows are laid out, so round trips can be compared without any protobuf types.
/// </summary>
internal static class BatchDump
{
    public static string Of(SpanBatch batch)
    {
        var text = new StringBuilder();
        var grouping = SpanGrouping.Create(batch);
        for (var r = 0; r < grouping.Resources.Length; r++)
        {
            var resource = batch.Resources[grouping.Resources[r]];
            text.Append("resource schema=").Append(Str(batch, resource.SchemaUrl)).Append(" dropped=").Append(resource.DroppedAttributesCount);
            Attributes(text, batch, resource.Attributes);
            text.AppendLine();
            for (var s = grouping.ScopeStart[r]; s < grouping.ScopeStart[r + 1]; s++)
            {
                var scope = batch.Scopes[grouping.Scopes[s]];
                text.Append(" scope ").Append(Str(batch, scope.Name)).Append(' ').Append(Str(batch, scope.Version))
                    .Append(" schema=").Append(Str(batch, scope.SchemaUrl)).Append(" dropped=").Append(scope.DroppedAttributesCount);
                Attributes(text, batch, scope.Attributes);
                text.AppendLine();
                for (var i = grouping.SpanStart[s]; i < grouping.SpanStart[s + 1]; i++)
                {
                    Span(text, batch, batch.Spans[grouping.Spans[i]]);
                }
            }
        }

        return text.ToString();
    }

    private static void Span(StringBuilder text, SpanBatch batch, in SpanRow span)
    {
        text.Append("  span ").Append(span.TraceId).Append('/').Append(span.SpanId).Append(" parent=").Append(span.ParentSpanId)
            .Append(" name=").Append(Str(batch, span.Name)).Append(" state=").Append(Str(batch, span.TraceState))
            .Append(" kind=").Append(span.Kind).Append(" flags=").Append(span.Flags)
            .Append(" time=").Append(span.StartTimeUnixNano).Append("..").Append(span.EndTimeUnixNano)
            .Append(" status=").Append(span.StatusCode).Append(':').Append(Str(batch, span.StatusMessage))
            .Append(" dropped=").Append(span.DroppedAttributesCount).Append('/').Append(span.DroppedEventsCount).Append('/').Append(span.DroppedLinksCount)
            .Append(" defect=").Append(span.Defect);
        Attributes(text, batch, span.Attributes);
        text.AppendLine();
        foreach (var e in batch.Events.Rows.Slice(span.Events.Start, span.Events.Count))
        {
            text.Append("   event ").Append(e.TimeUnixNano).Append(' ').Append(Str(batch, e.Name)).Append(" dropped=").Append(e.DroppedAttributesCount);
            Attributes(text, batch, e.Attributes);
            text.AppendLine();
        }

        foreach (var link in batch.Links.Rows.Slice(span.Links.Start, span.Links.Count))
        {
            text.Append("   link ").Append(link.TraceId).Append('/').Append(link.SpanId).Append(" state=").Append(Str(batch, link.TraceState))
                .Append(" flags=").Append(link.Flags).Append(" dropped=").Append(link.DroppedAttributesCount);
            Attributes(text, batch, link.Attributes);
            text.AppendLine();
        }
    }

    private static void Attributes(StringBuilder text, SpanBatch batch, RowRange range)
    {
        text.Append(" {");
        foreach (var kv in batch.AttributesOf(range))
        {
            KeyValue(text, batch, kv);
        }

        text.Append('}');
    }

    private static void KeyValue(StringBuilder text, SpanBatch batch, KeyValue kv)
    {
        text.Append(Str(batch, kv.Key)).Append('=');
        Value(text, batch, kv.Value);
        text.Append(';');
    }

    public static string Value(SpanBatch batch, AnyValue value)
    {
        var text = new StringBuilder();
        Value(text, batch, value);
        return text.ToString();
    }

    private static void Value(StringBuilder text, SpanBatch batch, AnyValue value)
    {
        switch (value.Kind)
        {
            case ValueKind.String:
                text.Append("s:").Append(Str(batch, value.StringRef));
                break;
            case ValueKind.Bool:
                text.Append(value.BoolValue ? "true" : "false");
                break;
            case ValueKind.Int:
                text.Append("i:").Append(value.IntValue.ToString(CultureInfo.InvariantCulture));
                break;
            case ValueKind.Double:
                // Bits, so -0.0 and 0.0 differ and NaN equals itself.
                text.Append("d:").Append(value.DoubleValue.ToString("R", CultureInfo.InvariantCulture)).Append('#').Append(value.Scalar.ToString("x", CultureInfo.InvariantCulture));
                break;
            case ValueKind.Bytes:
                text.Append("b:").Append(Convert.ToHexString(batch.Utf8(value.StringRef)));
                break;
            case ValueKind.Array:
                text.Append('[');
                foreach (var element in batch.ElementsOf(value))
                {
                    Value(text, batch, element);
                    text.Append(',');
                }

                text.Append(']');
                break;
            case ValueKind.KeyValueList:
                text.Append('{');
                foreach (var entry in batch.EntriesOf(value))
                {
                    KeyValue(text, batch, entry);
                }

                text.Append('}');
                break;
            default:
                text.Append("empty");
                break;
        }
    }

    private static string Str(SpanBatch batch, Utf8Ref value) =>
        "\"" + batch.GetString(value).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
