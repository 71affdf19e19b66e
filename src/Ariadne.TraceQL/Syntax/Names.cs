using Ariadne.Model;
using Ariadne.TraceQL.Ast;

namespace Ariadne.TraceQL.Syntax;

/// <summary>The words of TraceQL: intrinsic names (with their colon forms), scopes and keyword values.</summary>
internal static class Names
{
    public static readonly IReadOnlyDictionary<string, Intrinsic> Intrinsics = new Dictionary<string, Intrinsic>(StringComparer.Ordinal)
    {
        ["name"] = Intrinsic.Name,
        ["span:name"] = Intrinsic.Name,
        ["status"] = Intrinsic.Status,
        ["span:status"] = Intrinsic.Status,
        ["statusMessage"] = Intrinsic.StatusMessage,
        ["span:statusMessage"] = Intrinsic.StatusMessage,
        ["kind"] = Intrinsic.Kind,
        ["span:kind"] = Intrinsic.Kind,
        ["duration"] = Intrinsic.Duration,
        ["span:duration"] = Intrinsic.Duration,
        ["traceDuration"] = Intrinsic.TraceDuration,
        ["trace:duration"] = Intrinsic.TraceDuration,
        ["rootName"] = Intrinsic.RootName,
        ["trace:rootName"] = Intrinsic.RootName,
        ["rootServiceName"] = Intrinsic.RootServiceName,
        ["trace:rootService"] = Intrinsic.RootServiceName,
        ["span:id"] = Intrinsic.SpanId,
        ["span:parentID"] = Intrinsic.ParentId,
        ["trace:id"] = Intrinsic.TraceId,
        ["event:name"] = Intrinsic.EventName,
        ["event:timeSinceStart"] = Intrinsic.EventTimeSinceStart,
        ["link:traceID"] = Intrinsic.LinkTraceId,
        ["link:spanID"] = Intrinsic.LinkSpanId,
        ["instrumentation:name"] = Intrinsic.InstrumentationName,
        ["instrumentation:version"] = Intrinsic.InstrumentationVersion,
    };

    public static readonly IReadOnlyDictionary<string, AttributeScope> Scopes = new Dictionary<string, AttributeScope>(StringComparer.Ordinal)
    {
        ["span."] = AttributeScope.Span,
        ["resource."] = AttributeScope.Resource,
        ["event."] = AttributeScope.Event,
        ["link."] = AttributeScope.Link,
        ["instrumentation."] = AttributeScope.Instrumentation,
    };

    public static readonly IReadOnlyDictionary<string, StaticValue> Keywords = new Dictionary<string, StaticValue>(StringComparer.Ordinal)
    {
        ["true"] = StaticValue.Bool(true),
        ["false"] = StaticValue.Bool(false),
        ["nil"] = StaticValue.Nil,
        ["ok"] = StaticValue.Status(StatusCode.Ok),
        ["error"] = StaticValue.Status(StatusCode.Error),
        ["unset"] = StaticValue.Status(StatusCode.Unset),
        ["unspecified"] = StaticValue.SpanKind(SpanKind.Unspecified),
        ["internal"] = StaticValue.SpanKind(SpanKind.Internal),
        ["server"] = StaticValue.SpanKind(SpanKind.Server),
        ["client"] = StaticValue.SpanKind(SpanKind.Client),
        ["producer"] = StaticValue.SpanKind(SpanKind.Producer),
        ["consumer"] = StaticValue.SpanKind(SpanKind.Consumer),
    };

    /// <summary>The canonical spelling of each intrinsic, as the printer writes it.</summary>
    public static string Of(Intrinsic intrinsic) => intrinsic switch
    {
        Intrinsic.Name => "name",
        Intrinsic.Status => "status",
        Intrinsic.StatusMessage => "statusMessage",
        Intrinsic.Kind => "kind",
        Intrinsic.Duration => "duration",
        Intrinsic.TraceDuration => "traceDuration",
        Intrinsic.RootName => "rootName",
        Intrinsic.RootServiceName => "rootServiceName",
        Intrinsic.SpanId => "span:id",
        Intrinsic.ParentId => "span:parentID",
        Intrinsic.TraceId => "trace:id",
        Intrinsic.EventName => "event:name",
        Intrinsic.EventTimeSinceStart => "event:timeSinceStart",
        Intrinsic.LinkTraceId => "link:traceID",
        Intrinsic.LinkSpanId => "link:spanID",
        Intrinsic.InstrumentationName => "instrumentation:name",
        Intrinsic.InstrumentationVersion => "instrumentation:version",
        _ => throw new ArgumentOutOfRangeException(nameof(intrinsic)),
    };

    public static string Of(AttributeScope scope) => scope switch
    {
        AttributeScope.Unscoped => ".",
        AttributeScope.Span => "span.",
        AttributeScope.Resource => "resource.",
        AttributeScope.Event => "event.",
        AttributeScope.Link => "link.",
        AttributeScope.Instrumentation => "instrumentation.",
        _ => throw new ArgumentOutOfRangeException(nameof(scope)),
    };

    public static string StatusName(long value) => (StatusCode)value switch
    {
        StatusCode.Ok => "ok",
        StatusCode.Error => "error",
        _ => "unset",
    };

    public static string KindName(long value) => (SpanKind)value switch
    {
        SpanKind.Internal => "internal",
        SpanKind.Server => "server",
        SpanKind.Client => "client",
        SpanKind.Producer => "producer",
        SpanKind.Consumer => "consumer",
        _ => "unspecified",
    };
}
