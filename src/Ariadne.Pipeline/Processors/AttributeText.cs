using System.Globalization;
using Ariadne.Model;

namespace Ariadne.Pipeline.Processors;

/// <summary>A scalar attribute value as text, the form processors match and hash it in; other kinds are empty.</summary>
internal static class AttributeText
{
    public static string Of(SpanBatch batch, AnyValue value) => value.Kind switch
    {
        ValueKind.String => batch.GetString(value.StringRef),
        ValueKind.Int => value.IntValue.ToString(CultureInfo.InvariantCulture),
        ValueKind.Double => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        ValueKind.Bool => value.BoolValue ? "true" : "false",
        _ => string.Empty,
    };
}
