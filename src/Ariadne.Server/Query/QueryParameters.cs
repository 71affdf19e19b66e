using System.Globalization;
using Ariadne.Server.Configuration;
using Ariadne.TraceQL.Syntax;
using Microsoft.AspNetCore.Http;

namespace Ariadne.Server.Query;

/// <summary>Query-string parameters the search APIs share, each failing with a message that names the parameter.</summary>
internal static class QueryParameters
{
    /// <summary>A non-negative whole number; absent is 0.</summary>
    public static bool TryCount(IQueryCollection query, string name, out int value, out string error)
    {
        value = 0;
        error = string.Empty;
        var text = query[name].ToString();
        if (text.Length > 0 && !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            error = $"'{name}' must be a non-negative integer, got '{text}'";
            return false;
        }

        return true;
    }

    /// <summary>A duration (<c>100ms</c>, <c>1.5s</c>, <c>2m</c>) in nanoseconds; absent is null.</summary>
    public static bool TryDuration(IQueryCollection query, string name, out long? nanos, out string error)
    {
        nanos = null;
        error = string.Empty;
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (!DurationYamlConverter.TryParse(text, out var duration) || duration < TimeSpan.Zero)
        {
            error = $"'{name}' must be a duration such as 100ms, 1.5s or 2m, got '{text}'";
            return false;
        }

        nanos = duration.Ticks * 100;
        return true;
    }

    /// <summary>
    /// The span duration bounds <paramref name="minName"/> and <paramref name="maxName"/> as TraceQL
    /// conditions (<c>duration &gt;= 100ms</c>), or the reason they are not valid.
    /// </summary>
    public static bool TryAddSpanDurations(IQueryCollection query, string minName, string maxName, List<string> conditions, out string error)
    {
        if (!TryDuration(query, minName, out var min, out error) || !TryDuration(query, maxName, out var max, out error))
        {
            return false;
        }

        if (min is { } low && max is { } high && low > high)
        {
            error = $"'{minName}' must not be greater than '{maxName}'";
            return false;
        }

        if (min is { } minimum)
        {
            conditions.Add("duration >= " + Printer.Duration(minimum));
        }

        if (max is { } maximum)
        {
            conditions.Add("duration <= " + Printer.Duration(maximum));
        }

        return true;
    }

    /// <summary>Microseconds since the epoch, in nanoseconds; absent is 0.</summary>
    public static bool TryMicroseconds(IQueryCollection query, string name, out ulong nanos, out string error)
    {
        nanos = 0;
        error = string.Empty;
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var micros) || micros > ulong.MaxValue / 1000)
        {
            error = $"'{name}' must be microseconds since the Unix epoch, got '{text}'";
            return false;
        }

        nanos = micros * 1000;
        return true;
    }

    /// <summary>A time range whose ends (0 = open) must be in order.</summary>
    public static bool CheckOrder(ulong start, ulong end, string startName, string endName, out string error)
    {
        error = start > 0 && end > 0 && start > end ? $"'{startName}' must not be after '{endName}'" : string.Empty;
        return error.Length == 0;
    }
}
