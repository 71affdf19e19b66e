using Ariadne.TraceQL.Ast;

namespace Ariadne.TraceQL.Evaluation;

/// <summary>
/// The value of a field on a span: one value, or several for fields of events and links (a span has
/// many of each), where a comparison holds when it holds for any of them.
/// </summary>
internal readonly struct ValueSet
{
    private readonly StaticValue _single;
    private readonly List<StaticValue>? _many;

    public ValueSet(StaticValue single)
    {
        _single = single;
        _many = null;
    }

    public ValueSet(List<StaticValue> many)
    {
        _single = StaticValue.Nil;
        _many = many;
    }

    public static ValueSet Nil => new(StaticValue.Nil);

    public int Count => _many is null ? 1 : Math.Max(_many.Count, 1);

    public StaticValue this[int index] => _many is null || _many.Count == 0 ? _single : _many[index];

    public StaticValue First => this[0];
}
