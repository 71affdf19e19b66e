using System.Collections;
using System.Reflection;
using YamlDotNet.Serialization.NamingConventions;

namespace Ariadne.Server.Configuration;

/// <summary>
/// Finds a list entry left empty in the file (a bare <c>-</c>): YAML reads it as null, which the
/// nullability checks of the deserializer do not see inside a list, and validation would then fail on
/// it with a NullReferenceException instead of naming the key.
/// </summary>
internal static class EmptyListEntries
{
    private const int MaxDepth = 32;

    /// <summary>The key path (<c>analysis.span_metrics.dimensions[0]</c>) of the first empty entry, or null.</summary>
    public static string? Find(object options) => Find(options, string.Empty, 0);

    private static string? Find(object value, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            return null;
        }

        switch (value)
        {
            case string:
                return null;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (entry.Value is not null && Find(entry.Value, Join(path, entry.Key.ToString() ?? string.Empty), depth + 1) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case IList list:
                for (var i = 0; i < list.Count; i++)
                {
                    if (list[i] is null)
                    {
                        return $"{path}[{i}]";
                    }

                    if (Find(list[i]!, $"{path}[{i}]", depth + 1) is { } found)
                    {
                        return found;
                    }
                }

                return null;
        }

        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || type.Namespace?.StartsWith("Ariadne", StringComparison.Ordinal) != true)
        {
            return null;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.CanRead && property.GetValue(value) is { } child
                && Find(child, Join(path, UnderscoredNamingConvention.Instance.Apply(property.Name)), depth + 1) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
