using Microsoft.Extensions.Logging;

namespace Ariadne.Instrumentation;

/// <summary>Log lines that carry the trace: every log scope gets <c>TraceId</c> and <c>SpanId</c> of the current activity.</summary>
public static class LogCorrelation
{
    /// <summary>
    /// Adds trace and span ids to every log entry's scope, and writes the console as JSON with scopes, so
    /// each line carries <c>TraceId</c> and <c>SpanId</c> a log backend can join with Ariadne.
    /// </summary>
    /// <param name="logging">The app's logging builder.</param>
    /// <param name="jsonConsole">Whether to write the console as JSON lines (off when another sink is used).</param>
    /// <returns>The logging builder.</returns>
    public static ILoggingBuilder AddAriadneLogCorrelation(this ILoggingBuilder logging, bool jsonConsole = true)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (jsonConsole)
        {
            logging.AddJsonConsole(o => o.IncludeScopes = true);
        }

        return logging;
    }
}
