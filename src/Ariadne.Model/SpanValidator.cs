namespace Ariadne.Model;

/// <summary>The rules every receiver applies to a decoded span before it may be stored.</summary>
internal static class SpanValidator
{
    /// <summary>
    /// Sets <see cref="SpanRow.Defect"/> when the span breaks a rule and the decoder has not already
    /// found a worse one (such as an id of the wrong length).
    /// </summary>
    public static void Validate(ref SpanRow span)
    {
        if (span.Defect != SpanDefect.None)
        {
            return;
        }

        if (!span.TraceId.IsValid)
        {
            span.Defect = SpanDefect.InvalidTraceId;
        }
        else if (!span.SpanId.IsValid)
        {
            span.Defect = SpanDefect.InvalidSpanId;
        }
        else if (span.EndTimeUnixNano < span.StartTimeUnixNano)
        {
            span.Defect = SpanDefect.EndBeforeStart;
        }
    }

    /// <summary>Records the first defect a decoder finds in a span; later ones do not replace it.</summary>
    public static void MarkDefect(ref SpanRow span, SpanDefect defect)
    {
        if (span.Defect == SpanDefect.None)
        {
            span.Defect = defect;
        }
    }

    /// <summary>A short reason for <c>partial_success.error_message</c>.</summary>
    public static string Describe(SpanDefect defect) => defect switch
    {
        SpanDefect.InvalidTraceId => "trace_id must be 16 bytes and not all zero",
        SpanDefect.InvalidSpanId => "span_id must be 8 bytes and not all zero",
        SpanDefect.InvalidParentSpanId => "parent_span_id must be empty or 8 bytes",
        SpanDefect.EndBeforeStart => "end_time_unix_nano is before start_time_unix_nano",
        SpanDefect.InvalidLink => "a link's trace_id must be 16 bytes and its span_id 8 bytes",
        _ => "valid",
    };
}
