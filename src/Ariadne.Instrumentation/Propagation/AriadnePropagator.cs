using System.Diagnostics;

namespace Ariadne.Instrumentation.Propagation;

/// <summary>
/// The context propagator ASP.NET Core and <see cref="HttpClient"/> use (install it with
/// <see cref="DistributedContextPropagator.Current"/> or through <c>AddAriadneTracing</c>): it extracts
/// strict W3C Trace Context, or B3 (single or multi header) when no valid <c>traceparent</c> came, and
/// injects W3C plus, when <see cref="InjectB3"/> is set, B3 too. An invalid <c>traceparent</c> gives no
/// parent (the server starts a new trace) and an invalid <c>tracestate</c> is dropped. Baggage is taken
/// only for allowed keys, within limits.
/// </summary>
public sealed class AriadnePropagator : DistributedContextPropagator
{
    private const string BaggageHeader = "baggage";
    private static readonly string[] HeaderNames =
        [TraceContext.TraceParentHeader, TraceContext.TraceStateHeader, BaggageHeader, B3.SingleHeader, B3.TraceIdHeader, B3.SpanIdHeader, B3.SampledHeader, B3.FlagsHeader];

    /// <summary>
    /// When set, no inbound context is continued (every request starts a new trace; the server middleware
    /// links the inbound context instead) and no inbound baggage is taken.
    /// </summary>
    public bool Untrusted { get; init; }

    /// <summary>Whether B3 headers are written besides W3C ones (for legacy services downstream). Extraction always accepts B3.</summary>
    public bool InjectB3 { get; init; }

    /// <summary>Baggage keys taken from callers; null takes every key, an empty set none.</summary>
    public IReadOnlySet<string>? BaggageAllowlist { get; init; }

    /// <summary>The most baggage entries taken from a caller.</summary>
    public int MaxBaggageEntries { get; init; } = 16;

    /// <summary>The longest baggage header taken from a caller, in characters (the W3C baggage limit is 8,192 bytes).</summary>
    public int MaxBaggageLength { get; init; } = 8192;

    /// <inheritdoc/>
    public override IReadOnlyCollection<string> Fields => HeaderNames;

    /// <summary>Reads the remote context the way <see cref="ExtractTraceIdAndState"/> does, as an <see cref="ActivityContext"/>.</summary>
    /// <param name="carrier">The headers.</param>
    /// <param name="getter">Reads a header.</param>
    /// <param name="context">The remote context, when one was valid.</param>
    /// <returns>Whether a valid context came.</returns>
    public static bool TryExtract(object? carrier, PropagatorGetterCallback? getter, out ActivityContext context)
    {
        context = default;
        if (getter is null)
        {
            return false;
        }

        getter(carrier, TraceContext.TraceParentHeader, out var traceParent, out var traceParents);
        if (traceParents is not null && traceParents.Count() > 1)
        {
            // Two traceparent headers: the caller's intent is unclear, so there is none.
            return false;
        }

        if (traceParent is not null || traceParents is not null)
        {
            if (!TraceContext.TryParseTraceParent(traceParent ?? traceParents!.FirstOrDefault(), out context))
            {
                return false;
            }

            getter(carrier, TraceContext.TraceStateHeader, out var traceState, out var traceStates);
            var state = TraceContext.ValidateTraceState(traceStates is null ? traceState : string.Join(',', traceStates));
            context = new ActivityContext(context.TraceId, context.SpanId, context.TraceFlags, state, isRemote: true);
            return true;
        }

        getter(carrier, B3.SingleHeader, out var single, out _);
        if (single is not null)
        {
            return B3.TryParseSingle(single, out context);
        }

        getter(carrier, B3.TraceIdHeader, out var traceId, out _);
        getter(carrier, B3.SpanIdHeader, out var spanId, out _);
        getter(carrier, B3.SampledHeader, out var sampled, out _);
        getter(carrier, B3.FlagsHeader, out var flags, out _);
        return B3.TryParseMulti(traceId, spanId, sampled, flags, out context);
    }

    /// <inheritdoc/>
    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState)
    {
        traceId = null;
        traceState = null;
        if (Untrusted || getter is null)
        {
            return;
        }

        // The common case, one valid version-00 traceparent, is passed on as it came: no new string.
        getter(carrier, TraceContext.TraceParentHeader, out var traceParent, out var traceParents);
        if (traceParents is null && traceParent is { Length: 55 } && traceParent.StartsWith("00-", StringComparison.Ordinal)
            && TraceContext.IsValidTraceParent(traceParent))
        {
            traceId = traceParent;
            getter(carrier, TraceContext.TraceStateHeader, out var state, out var states);
            traceState = states is null && state is null ? null : TraceContext.ValidateTraceState(states is null ? state : string.Join(',', states));
            return;
        }

        if (TryExtract(carrier, getter, out var context))
        {
            traceId = TraceContext.FormatTraceParent(context);
            traceState = context.TraceState;
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter)
    {
        if (getter is null || Untrusted)
        {
            return null;
        }

        getter(carrier, BaggageHeader, out var value, out var values);
        var header = values is null ? value : string.Join(',', values);
        if (string.IsNullOrEmpty(header) || header.Length > MaxBaggageLength)
        {
            return null;
        }

        var baggage = new List<KeyValuePair<string, string?>>();
        foreach (var member in header.Split(','))
        {
            // Properties after ';' are not carried.
            var pair = member.Split(';')[0];
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var key = pair[..equals].Trim();
            if (BaggageAllowlist is not null && !BaggageAllowlist.Contains(key))
            {
                continue;
            }

            baggage.Add(new(key, Uri.UnescapeDataString(pair[(equals + 1)..].Trim())));
            if (baggage.Count == MaxBaggageEntries)
            {
                break;
            }
        }

        return baggage.Count == 0 ? null : baggage;
    }

    /// <inheritdoc/>
    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
    {
        if (activity is null || setter is null || activity.IdFormat != ActivityIdFormat.W3C)
        {
            return;
        }

        var context = activity.Context;
        setter(carrier, TraceContext.TraceParentHeader, TraceContext.FormatTraceParent(context));
        if (TraceContext.ValidateTraceState(activity.TraceStateString) is { } state)
        {
            setter(carrier, TraceContext.TraceStateHeader, state);
        }

        if (InjectB3)
        {
            setter(carrier, B3.SingleHeader, B3.FormatSingle(context));
            setter(carrier, B3.TraceIdHeader, context.TraceId.ToHexString());
            setter(carrier, B3.SpanIdHeader, context.SpanId.ToHexString());
            setter(carrier, B3.SampledHeader, (context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "1" : "0");
        }

        var baggage = new List<string>();
        foreach (var (key, value) in activity.Baggage)
        {
            baggage.Add(key + "=" + Uri.EscapeDataString(value ?? string.Empty));
        }

        if (baggage.Count > 0)
        {
            setter(carrier, BaggageHeader, string.Join(',', baggage));
        }
    }
}
