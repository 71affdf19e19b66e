namespace Ariadne.Storage.Search;

/// <summary>A distinct attribute value for autocomplete: its type as Tempo names them (string, int, float, bool) and its text.</summary>
internal readonly record struct TagValue(string Type, string Value) : IComparable<TagValue>
{
    public int CompareTo(TagValue other)
    {
        var byValue = string.CompareOrdinal(Value, other.Value);
        return byValue != 0 ? byValue : string.CompareOrdinal(Type, other.Type);
    }

    public static bool operator <(TagValue left, TagValue right) => left.CompareTo(right) < 0;

    public static bool operator <=(TagValue left, TagValue right) => left.CompareTo(right) <= 0;

    public static bool operator >(TagValue left, TagValue right) => left.CompareTo(right) > 0;

    public static bool operator >=(TagValue left, TagValue right) => left.CompareTo(right) >= 0;
}
