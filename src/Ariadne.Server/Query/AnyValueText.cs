using System.Globalization;
using System.Text;
using System.Text.Json;
using Ariadne.Model;

namespace Ariadne.Server.Query;

/// <summary>Renders an attribute value as text, arrays and maps as compact JSON (as the Collector's AsString does).</summary>
internal static class AnyValueText
{
    public static string ToJson(SpanBatch batch, AnyValue value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, batch, value);
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    private static void Write(Utf8JsonWriter writer, SpanBatch batch, AnyValue value)
    {
        switch (value.Kind)
        {
            case ValueKind.String:
                writer.WriteStringValue(batch.Utf8(value.StringRef));
                break;
            case ValueKind.Bool:
                writer.WriteBooleanValue(value.BoolValue);
                break;
            case ValueKind.Int:
                writer.WriteNumberValue(value.IntValue);
                break;
            case ValueKind.Double:
                if (double.IsFinite(value.DoubleValue))
                {
                    writer.WriteNumberValue(value.DoubleValue);
                }
                else
                {
                    writer.WriteStringValue(value.DoubleValue.ToString(CultureInfo.InvariantCulture));
                }

                break;
            case ValueKind.Bytes:
                writer.WriteBase64StringValue(batch.Utf8(value.StringRef));
                break;
            case ValueKind.Array:
                writer.WriteStartArray();
                foreach (var element in batch.ElementsOf(value))
                {
                    Write(writer, batch, element);
                }

                writer.WriteEndArray();
                break;
            case ValueKind.KeyValueList:
                writer.WriteStartObject();
                foreach (ref readonly var entry in batch.EntriesOf(value))
                {
                    writer.WritePropertyName(batch.Utf8(entry.Key));
                    Write(writer, batch, entry.Value);
                }

                writer.WriteEndObject();
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
