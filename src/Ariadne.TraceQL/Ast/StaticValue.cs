using Ariadne.Model;

namespace Ariadne.TraceQL.Ast;

/// <summary>A literal: a string, number, bool, duration (nanoseconds), status, kind or nil.</summary>
internal readonly record struct StaticValue(StaticKind Kind, string? Text = null, long Integer = 0, double Float = 0)
{
    public static StaticValue Nil => new(StaticKind.Nil);

    public static StaticValue String(string value) => new(StaticKind.String, Text: value);

    public static StaticValue Int(long value) => new(StaticKind.Int, Integer: value);

    public static StaticValue FloatValue(double value) => new(StaticKind.Float, Float: value);

    public static StaticValue Bool(bool value) => new(StaticKind.Bool, Integer: value ? 1 : 0);

    public static StaticValue Duration(long nanoseconds) => new(StaticKind.Duration, Integer: nanoseconds);

    public static StaticValue Status(StatusCode value) => new(StaticKind.Status, Integer: (long)value);

    public static StaticValue SpanKind(Model.SpanKind value) => new(StaticKind.Kind, Integer: (long)value);

    public bool BoolValue => Integer != 0;
}
