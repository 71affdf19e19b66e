using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Ariadne.Protocols.Otlp.Json;

/// <summary>
/// Throw sites of the JSON decoder, kept out of the readers so their hot paths stay small enough to
/// inline. Every exception here is caught by <see cref="OtlpJsonDecoder.TryDecode"/> and becomes its error.
/// </summary>
internal static class JsonThrowHelper
{
    [DoesNotReturn]
    public static void ThrowWrongType(string field, string expected, JsonTokenType found, long offset) =>
        throw new JsonFormatException($"'{field}' must be {expected}, found {Describe(found)}", offset);

    [DoesNotReturn]
    public static T ThrowWrongType<T>(string field, string expected, JsonTokenType found, long offset) =>
        throw new JsonFormatException($"'{field}' must be {expected}, found {Describe(found)}", offset);

    [DoesNotReturn]
    public static void ThrowInvalidValue(string field, string problem, long offset) =>
        throw new JsonFormatException($"'{field}' {problem}", offset);

    [DoesNotReturn]
    public static void ThrowTruncated(long offset) =>
        throw new JsonFormatException("the JSON document ends early", offset);

    [DoesNotReturn]
    public static void ThrowTrailingContent(long offset) =>
        throw new JsonFormatException("unexpected content after the request object", offset);

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
