namespace Ariadne.Model;

/// <summary>OTLP <c>Span.SpanKind</c>, with its wire values.</summary>
internal enum SpanKind : byte
{
    Unspecified = 0,
    Internal = 1,
    Server = 2,
    Client = 3,
    Producer = 4,
    Consumer = 5,
}
