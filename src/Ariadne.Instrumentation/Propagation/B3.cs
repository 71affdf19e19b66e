using System.Diagnostics;
using System.Globalization;

namespace Ariadne.Instrumentation.Propagation;

/// <summary>
/// Zipkin's B3 headers, for services that predate W3C Trace Context: the single <c>b3</c> header
/// (<c>{TraceId}-{SpanId}-{SamplingState}-{ParentSpanId}</c>) and the multi-header form
/// (<c>X-B3-TraceId</c>, <c>X-B3-SpanId</c>, <c>X-B3-Sampled</c>, <c>X-B3-Flags</c>). 64-bit trace ids
/// are widened to 128 bits with leading zeros, as B3 specifies.
/// </summary>
public static class B3
{
    /// <summary>The single header.</summary>
    public const string SingleHeader = "b3";

    /// <summary>The multi-header trace id.</summary>
    public const string TraceIdHeader = "X-B3-TraceId";

    /// <summary>The multi-header span id.</summary>
    public const string SpanIdHeader = "X-B3-SpanId";

    /// <summary>The multi-header parent span id.</summary>
    public const string ParentSpanIdHeader = "X-B3-ParentSpanId";

    /// <summary>The multi-header sampling decision (1 or 0).</summary>
    public const string SampledHeader = "X-B3-Sampled";

    /// <summary>The multi-header debug flag (1 means sampled).</summary>
    public const string FlagsHeader = "X-B3-Flags";

    /// <summary>Parses the single <c>b3</c> header.</summary>
    /// <param name="value">The header value.</param>
    /// <param name="context">The remote context, when valid.</param>
    /// <returns>Whether it carried a usable context (a bare sampling decision does not).</returns>
    public static bool TryParseSingle(string? value, out ActivityContext context)
    {
        context = default;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var parts = value.Split('-');
        if (parts.Length < 2 || parts.Length > 4)
        {
            return false;
        }

        var sampled = parts.Length < 3 || parts[2] is "1" or "d";
        if (parts.Length >= 3 && parts[2] is not ("0" or "1" or "d"))
        {
            return false;
        }

        return TryCreate(parts[0], parts[1], sampled, out context);
    }

    /// <summary>Parses the multi-header form from its header values (null when absent).</summary>
    /// <param name="traceId">X-B3-TraceId.</param>
    /// <param name="spanId">X-B3-SpanId.</param>
    /// <param name="sampled">X-B3-Sampled.</param>
    /// <param name="flags">X-B3-Flags.</param>
    /// <param name="context">The remote context, when valid.</param>
    /// <returns>Whether the headers carried a usable context.</returns>
    public static bool TryParseMulti(string? traceId, string? spanId, string? sampled, string? flags, out ActivityContext context)
    {
        context = default;
        if (traceId is null || spanId is null)
        {
            return false;
        }

        var isSampled = flags == "1" || sampled is null or "1" or "true";
        return TryCreate(traceId, spanId, isSampled, out context);
    }

    /// <summary>Formats the single <c>b3</c> header.</summary>
    /// <param name="context">The context to send.</param>
    /// <returns>The header value.</returns>
    public static string FormatSingle(ActivityContext context) =>
        string.Create(CultureInfo.InvariantCulture, $"{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "1" : "0")}");

    private static bool TryCreate(string traceId, string spanId, bool sampled, out ActivityContext context)
    {
        context = default;
        if (traceId.Length == 16)
        {
            traceId = "0000000000000000" + traceId;
        }

        if (traceId.Length != 32 || spanId.Length != 16 || !IsHex(traceId) || !IsHex(spanId)
            || !traceId.AsSpan().ContainsAnyExcept('0') || !spanId.AsSpan().ContainsAnyExcept('0'))
        {
            return false;
        }

        context = new ActivityContext(
            ActivityTraceId.CreateFromString(traceId.ToLowerInvariant()),
            ActivitySpanId.CreateFromString(spanId.ToLowerInvariant()),
            sampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None,
            traceState: null,
            isRemote: true);
        return true;
    }

    private static bool IsHex(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
