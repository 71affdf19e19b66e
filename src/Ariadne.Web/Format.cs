using System.Globalization;

namespace Ariadne.Web;

/// <summary>Durations and times as the UI shows them: three significant digits, UTC.</summary>
internal static class Format
{
    public static string Duration(double nanos)
    {
        var abs = Math.Abs(nanos);
        return abs switch
        {
            >= 60e9 => (nanos / 60e9).ToString("0.##", CultureInfo.InvariantCulture) + " min",
            >= 1e9 => (nanos / 1e9).ToString(abs >= 10e9 ? "0.0" : "0.00", CultureInfo.InvariantCulture) + " s",
            >= 1e6 => (nanos / 1e6).ToString(abs >= 100e6 ? "0" : abs >= 10e6 ? "0.0" : "0.00", CultureInfo.InvariantCulture) + " ms",
            >= 1e3 => (nanos / 1e3).ToString(abs >= 100e3 ? "0" : "0.0", CultureInfo.InvariantCulture) + " µs",
            _ => nanos.ToString("0", CultureInfo.InvariantCulture) + " ns",
        };
    }

    public static string Delta(double nanos) => (nanos > 0 ? "+" : nanos < 0 ? "−" : "±") + Duration(Math.Abs(nanos));

    public static string Time(ulong unixNanos) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)(unixNanos / 1_000_000)).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static string Percent(double fraction) => (fraction * 100).ToString(fraction is > 0 and < 0.01 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>Per second, or per minute below one a second so slow rates do not read as zero.</summary>
    public static string Rate(double perSecond) => perSecond switch
    {
        >= 100 => perSecond.ToString("0", CultureInfo.InvariantCulture) + "/s",
        >= 1 => perSecond.ToString("0.0", CultureInfo.InvariantCulture) + "/s",
        _ => (perSecond * 60).ToString(perSecond * 60 >= 10 ? "0" : perSecond * 60 >= 0.1 ? "0.0#" : "0.###", CultureInfo.InvariantCulture) + "/min",
    };
}
