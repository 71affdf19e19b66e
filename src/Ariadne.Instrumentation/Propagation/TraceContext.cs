using System.Diagnostics;
using System.Globalization;

namespace Ariadne.Instrumentation.Propagation;

/// <summary>
/// W3C Trace Context (level 2) parsing and formatting, strict: a <c>traceparent</c> that breaks the
/// grammar in any way is rejected whole, and a <c>tracestate</c> that does is dropped whole, as the
/// specification asks of a receiver that cannot trust its caller.
/// </summary>
public static class TraceContext
{
    /// <summary>The header that carries the trace id, parent span id and flags.</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>The header that carries vendor-specific state.</summary>
    public const string TraceStateHeader = "tracestate";

    /// <summary>The response header (Trace Context level 2) that tells the caller which trace served it.</summary>
    public const string TraceResponseHeader = "traceresponse";

    /// <summary>The most list members a <c>tracestate</c> may hold.</summary>
    public const int MaxTraceStateMembers = 32;

    private const int Version00Length = 55;

    /// <summary>
    /// Parses a <c>traceparent</c> value. Version 00 must be exactly 55 characters; a higher version
    /// (but not <c>ff</c>) may carry more fields after the flags, which are ignored. Ids must be lowercase
    /// hex and not all zeros.
    /// </summary>
    /// <param name="value">The header value.</param>
    /// <param name="context">The remote context, when valid.</param>
    /// <returns>Whether the value is valid.</returns>
    public static bool TryParseTraceParent(string? value, out ActivityContext context)
    {
        context = default;
        if (!IsValidTraceParent(value))
        {
            return false;
        }

        var span = value.AsSpan();
        var flagBits = byte.Parse(span[53..55], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        context = new ActivityContext(
            ActivityTraceId.CreateFromString(span[3..35]),
            ActivitySpanId.CreateFromString(span[36..52]),
            (flagBits & 1) != 0 ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None,
            traceState: null,
            isRemote: true);
        return true;
    }

    /// <summary>Whether a <c>traceparent</c> value follows the grammar (as <see cref="TryParseTraceParent"/>), without building a context.</summary>
    /// <param name="value">The header value.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool IsValidTraceParent([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? value)
    {
        if (value is null || value.Length < Version00Length)
        {
            return false;
        }

        var span = value.AsSpan();
        if (!IsLowerHex(span[..2]) || span[2] != '-' || span[35] != '-' || span[52] != '-' || span[..2] is "ff")
        {
            return false;
        }

        if (span[..2] is "00" ? span.Length != Version00Length : span.Length > Version00Length && span[Version00Length] != '-')
        {
            return false;
        }

        var traceId = span[3..35];
        var parentId = span[36..52];
        return IsLowerHex(traceId) && IsLowerHex(parentId) && IsLowerHex(span[53..55]) && !IsAllZero(traceId) && !IsAllZero(parentId);
    }

    /// <summary>Formats a context as a version 00 <c>traceparent</c>.</summary>
    /// <param name="context">The context to send.</param>
    /// <returns>The header value.</returns>
    public static string FormatTraceParent(ActivityContext context) =>
        string.Create(CultureInfo.InvariantCulture, $"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-{((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "01" : "00")}");

    /// <summary>
    /// Checks a <c>tracestate</c> value (several headers already joined with commas): at most 32 list
    /// members, each key and value in the specification's grammar, no key twice. Empty members are allowed
    /// and dropped. Returns the normalised value (members joined by <c>,</c>), or null when it is invalid.
    /// </summary>
    /// <param name="value">The header value.</param>
    /// <returns>The value to keep, or null to drop it.</returns>
    public static string? ValidateTraceState(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var members = new List<string>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in value.Split(','))
        {
            var member = raw.Trim(' ', '\t');
            if (member.Length == 0)
            {
                continue;
            }

            var equals = member.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !IsValidKey(member.AsSpan(0, equals)) || !IsValidValue(member.AsSpan(equals + 1)) || !keys.Add(member[..equals]))
            {
                return null;
            }

            members.Add(member);
        }

        return members.Count is 0 or > MaxTraceStateMembers ? null : string.Join(',', members);
    }

    private static bool IsValidKey(ReadOnlySpan<char> key)
    {
        var at = key.IndexOf('@');
        if (at < 0)
        {
            // simple-key = lcalpha 0*255( lcalpha / DIGIT / "_" / "-"/ "*" / "/" )
            return key.Length <= 256 && IsLowerAlpha(key[0]) && AllKeyChars(key[1..]);
        }

        // multi-tenant-key = tenant-id "@" system-id
        var tenant = key[..at];
        var system = key[(at + 1)..];
        return tenant.Length is >= 1 and <= 241 && (IsLowerAlpha(tenant[0]) || char.IsAsciiDigit(tenant[0])) && AllKeyChars(tenant[1..])
            && system.Length is >= 1 and <= 14 && IsLowerAlpha(system[0]) && AllKeyChars(system[1..]);
    }

    private static bool AllKeyChars(ReadOnlySpan<char> chars)
    {
        foreach (var c in chars)
        {
            if (!(IsLowerAlpha(c) || char.IsAsciiDigit(c) || c is '_' or '-' or '*' or '/'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidValue(ReadOnlySpan<char> value)
    {
        // value = 0*255(chr) nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E; chr = %x20 / nblk-chr
        if (value.Length is 0 or > 256 || value[^1] == ' ')
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < ' ' or > '~' or ',' or '=')
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLowerAlpha(char c) => c is >= 'a' and <= 'z';

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    private static bool IsLowerHex(ReadOnlySpan<char> chars) => !chars.ContainsAnyExcept(LowerHex);

    private static bool IsAllZero(ReadOnlySpan<char> chars) => !chars.ContainsAnyExcept('0');
}
