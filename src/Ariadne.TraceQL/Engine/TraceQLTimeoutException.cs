namespace Ariadne.TraceQL.Engine;

/// <summary>A query ran longer than its time limit and was stopped.</summary>
internal sealed class TraceQLTimeoutException : TimeoutException
{
    public TraceQLTimeoutException(TimeSpan limit)
        : base($"the query ran longer than {limit.TotalSeconds:0.###} s and was stopped; narrow the time range or the conditions")
    {
    }
}
