using System.Data.Common;
using System.Diagnostics;
using Ariadne.Instrumentation.Propagation;

namespace Ariadne.Instrumentation;

/// <summary>
/// Trace context in SQL, sqlcommenter style: a comment <c>/*traceparent='…',tracestate='…'*/</c> at the end
/// of the statement, so database logs and slow-query reports can be joined with the trace.
/// </summary>
public static class SqlComments
{
    /// <summary>
    /// Appends the activity's context (default: the current one) to the command text. Nothing is added
    /// when there is no activity, the text is empty, or it already ends with a comment.
    /// </summary>
    /// <param name="command">The command about to run.</param>
    /// <param name="activity">The context to carry; null means <see cref="Activity.Current"/>.</param>
    public static void AddTraceContextComment(this DbCommand command, Activity? activity = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        activity ??= Activity.Current;
        var text = command.CommandText?.TrimEnd();
        if (activity is null || string.IsNullOrEmpty(text) || text.EndsWith("*/", StringComparison.Ordinal))
        {
            return;
        }

        command.CommandText = text + " " + Comment(activity);
    }

    /// <summary>The comment for an activity: keys sorted, values URL-encoded and single-quoted, as sqlcommenter specifies.</summary>
    /// <param name="activity">The activity.</param>
    /// <returns>The comment, <c>/*…*/</c>.</returns>
    public static string Comment(Activity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var parts = new List<string> { $"traceparent='{Uri.EscapeDataString(TraceContext.FormatTraceParent(activity.Context))}'" };
        if (TraceContext.ValidateTraceState(activity.TraceStateString) is { } state)
        {
            parts.Add($"tracestate='{Uri.EscapeDataString(state)}'");
        }

        return "/*" + string.Join(',', parts) + "*/";
    }
}
