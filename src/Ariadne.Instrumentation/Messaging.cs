using System.Diagnostics;
using Ariadne.Instrumentation.Propagation;

namespace Ariadne.Instrumentation;

/// <summary>
/// Trace context through message queues (Kafka, RabbitMQ, any header dictionary): producer and
/// consumer spans with the OpenTelemetry messaging attributes, the producer's context carried in the
/// message headers (W3C <c>traceparent</c>/<c>tracestate</c>), and batch consumers linked to every
/// message they took.
/// </summary>
public static class Messaging
{
    /// <summary>Writes the activity's context into message headers.</summary>
    /// <param name="activity">The producer span (or whatever context should travel).</param>
    /// <param name="headers">The message headers.</param>
    public static void Inject(Activity? activity, IDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (activity is null)
        {
            return;
        }

        headers[TraceContext.TraceParentHeader] = TraceContext.FormatTraceParent(activity.Context);
        if (TraceContext.ValidateTraceState(activity.TraceStateString) is { } state)
        {
            headers[TraceContext.TraceStateHeader] = state;
        }
        else
        {
            headers.Remove(TraceContext.TraceStateHeader);
        }
    }

    /// <summary>Reads the producer's context from message headers (strict W3C, as at an HTTP edge).</summary>
    /// <param name="headers">The message headers.</param>
    /// <param name="context">The producer's context, when the headers carry a valid one.</param>
    /// <returns>Whether they do.</returns>
    public static bool TryExtract(IReadOnlyDictionary<string, string> headers, out ActivityContext context)
    {
        ArgumentNullException.ThrowIfNull(headers);
        context = default;
        if (!headers.TryGetValue(TraceContext.TraceParentHeader, out var traceParent) || !TraceContext.TryParseTraceParent(traceParent, out context))
        {
            return false;
        }

        var state = headers.TryGetValue(TraceContext.TraceStateHeader, out var raw) ? TraceContext.ValidateTraceState(raw) : null;
        context = new ActivityContext(context.TraceId, context.SpanId, context.TraceFlags, state, isRemote: true);
        return true;
    }

    /// <summary>Starts a PRODUCER span <c>send {destination}</c> and writes its context into the headers.</summary>
    /// <param name="source">The app's activity source.</param>
    /// <param name="system">The messaging system (<c>kafka</c>, <c>rabbitmq</c>, …).</param>
    /// <param name="destination">The topic or queue.</param>
    /// <param name="headers">The outgoing message's headers.</param>
    /// <returns>The span (null when nobody listens); dispose it when the message is sent.</returns>
    public static Activity? StartProducer(ActivitySource source, string system, string destination, IDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(source);
        var activity = source.StartActivity($"send {destination}", ActivityKind.Producer);
        if (activity is not null)
        {
            Tag(activity, system, destination, "send");
            Inject(activity, headers);
        }

        return activity;
    }

    /// <summary>
    /// Starts a CONSUMER span <c>process {destination}</c> for one message: a child of the producer's span
    /// when <paramref name="continueTrace"/>, else the root of a new trace linked to it.
    /// </summary>
    /// <param name="source">The app's activity source.</param>
    /// <param name="system">The messaging system.</param>
    /// <param name="destination">The topic or queue.</param>
    /// <param name="headers">The received message's headers.</param>
    /// <param name="continueTrace">Whether processing continues the producer's trace.</param>
    /// <returns>The span (null when nobody listens); dispose it when the message is processed.</returns>
    public static Activity? StartConsumer(ActivitySource source, string system, string destination, IReadOnlyDictionary<string, string> headers, bool continueTrace = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        var found = TryExtract(headers, out var producer);
        var activity = found && continueTrace
            ? source.StartActivity($"process {destination}", ActivityKind.Consumer, producer)
            : source.StartActivity($"process {destination}", ActivityKind.Consumer, default(ActivityContext), links: found ? [new ActivityLink(producer)] : null);
        if (activity is not null)
        {
            Tag(activity, system, destination, "process");
        }

        return activity;
    }

    /// <summary>Starts a CONSUMER span for a batch of messages, linked to each message's producer (the seeds' Kafka example).</summary>
    /// <param name="source">The app's activity source.</param>
    /// <param name="system">The messaging system.</param>
    /// <param name="destination">The topic or queue.</param>
    /// <param name="messages">Each received message's headers.</param>
    /// <returns>The span (null when nobody listens).</returns>
    public static Activity? StartBatchConsumer(ActivitySource source, string system, string destination, IEnumerable<IReadOnlyDictionary<string, string>> messages)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(messages);
        var links = new List<ActivityLink>();
        var count = 0;
        foreach (var headers in messages)
        {
            count++;
            if (TryExtract(headers, out var producer))
            {
                links.Add(new ActivityLink(producer));
            }
        }

        var activity = source.StartActivity($"process {destination}", ActivityKind.Consumer, default(ActivityContext), links: links);
        if (activity is not null)
        {
            Tag(activity, system, destination, "process");
            activity.SetTag("messaging.batch.message_count", count);
        }

        return activity;
    }

    private static void Tag(Activity activity, string system, string destination, string operation)
    {
        activity.SetTag("messaging.system", system);
        activity.SetTag("messaging.destination.name", destination);
        activity.SetTag("messaging.operation.type", operation);
    }
}

/// <summary>
/// A value with the trace context it was produced in, for work handed over through a
/// <see cref="System.Threading.Channels.Channel{T}"/> or a background queue, where
/// <see cref="Activity.Current"/> does not flow.
/// </summary>
/// <typeparam name="T">The value's type.</typeparam>
/// <param name="Value">The value.</param>
/// <param name="Context">The context of the activity that produced it (default when there was none).</param>
public readonly record struct Traced<T>(T Value, ActivityContext Context)
{
    /// <summary>Pairs the value with the current activity's context.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The pair, to write into the channel.</returns>
    public static Traced<T> Capture(T value) => new(value, Activity.Current?.Context ?? default);

    /// <summary>Starts the activity that works on the value, as a child of the context it came with.</summary>
    /// <param name="source">The app's activity source.</param>
    /// <param name="name">The activity's name.</param>
    /// <param name="kind">The activity's kind.</param>
    /// <returns>The activity (null when nobody listens).</returns>
    public Activity? StartActivity(ActivitySource source, string name, ActivityKind kind = ActivityKind.Internal)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.StartActivity(name, kind, Context);
    }
}
