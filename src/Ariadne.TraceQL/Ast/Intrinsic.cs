namespace Ariadne.TraceQL.Ast;

/// <summary>The fields every span has, named without a scope (or with <c>span:</c>, <c>trace:</c>, <c>event:</c>, <c>link:</c>, <c>instrumentation:</c>).</summary>
internal enum Intrinsic
{
    None,
    Name,
    Status,
    StatusMessage,
    Kind,
    Duration,
    TraceDuration,
    RootName,
    RootServiceName,
    SpanId,
    ParentId,
    TraceId,
    EventName,
    EventTimeSinceStart,
    LinkTraceId,
    LinkSpanId,
    InstrumentationName,
    InstrumentationVersion,
}
