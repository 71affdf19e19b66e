namespace Ariadne.Protocols.Otlp.Json;

/// <summary>Valid JSON that is not a valid OTLP message; the message names the field and byte offset.</summary>
internal sealed class JsonFormatException : Exception
{
    public JsonFormatException(string message, long offset)
        : base($"{message} at byte {offset}")
    {
    }

    public JsonFormatException()
    {
    }

    public JsonFormatException(string message)
        : base(message)
    {
    }

    public JsonFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
