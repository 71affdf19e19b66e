namespace Ariadne.Model;

/// <summary>
/// Why a decoded span cannot be stored. Decoders record the defect instead of failing the request,
/// so the rest of the batch is kept and the span is reported in <c>partial_success</c>.
/// </summary>
internal enum SpanDefect : byte
{
    None = 0,
    InvalidTraceId,
    InvalidSpanId,
    InvalidParentSpanId,
    EndBeforeStart,
    InvalidLink,
}
