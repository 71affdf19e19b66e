using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Ariadne.Server.Configuration;

/// <summary>
/// Durations as Collector configs write them (<c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1h30m</c>,
/// and <c>14d</c> for retention),
/// or as .NET time spans (<c>00:05:00</c>).
/// </summary>
internal sealed class DurationYamlConverter : IYamlTypeConverter
{
    public bool Accepts(Type type) => type == typeof(TimeSpan) || type == typeof(TimeSpan?);

    public object? ReadYaml(IParser parser, Type type, ObjectDeserializer rootDeserializer)
    {
        var scalar = parser.Consume<Scalar>();

        // An optional duration (a per-tenant override) left unset reads back as unset.
        if (type == typeof(TimeSpan?) && scalar.Value is "" or "~" or "null")
        {
            return null;
        }

        if (TryParse(scalar.Value, out var value))
        {
            return value;
        }

        throw new YamlException(scalar.Start, scalar.End, $"expected a duration such as 30s, 5m or 1h, got '{scalar.Value}'");
    }

    public void WriteYaml(IEmitter emitter, object? value, Type type, ObjectSerializer serializer) =>
        emitter.Emit(new Scalar(value is TimeSpan duration ? Format(duration) : string.Empty));

    /// <summary>The duration in the Collector's form, in its largest whole unit: <c>14d</c>, <c>5m</c>, <c>1500ms</c>.</summary>
    public static string Format(TimeSpan value)
    {
        (long Ticks, string Unit)[] units = [(TimeSpan.TicksPerDay, "d"), (TimeSpan.TicksPerHour, "h"), (TimeSpan.TicksPerMinute, "m"), (TimeSpan.TicksPerSecond, "s"), (TimeSpan.TicksPerMillisecond, "ms"), (10, "us")];
        foreach (var (ticks, unit) in units)
        {
            if (value.Ticks != 0 && value.Ticks % ticks == 0)
            {
                return (value.Ticks / ticks).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return value.Ticks == 0 ? "0s" : (value.Ticks * 100).ToString(CultureInfo.InvariantCulture) + "ns";
    }

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
        }

        var rest = text.AsSpan().Trim();
        var total = 0.0;
        while (!rest.IsEmpty)
        {
            var digits = 0;
            while (digits < rest.Length && (char.IsAsciiDigit(rest[digits]) || rest[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !double.TryParse(rest[..digits], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            rest = rest[digits..];
            var unit = 0;
            while (unit < rest.Length && char.IsAsciiLetter(rest[unit]))
            {
                unit++;
            }

            double? milliseconds = rest[..unit] switch
            {
                "ns" => number / 1_000_000,
                "us" or "µs" => number / 1_000,
                "ms" => number,
                "s" => number * 1_000,
                "m" => number * 60_000,
                "h" => number * 3_600_000,
                "d" => number * 86_400_000,
                _ => null,
            };
            if (milliseconds is null)
            {
                return false;
            }

            total += milliseconds.Value;
            rest = rest[unit..];
        }

        value = TimeSpan.FromMilliseconds(total);
        return true;
    }
}
