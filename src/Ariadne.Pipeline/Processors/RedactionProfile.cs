using System.Text.RegularExpressions;

namespace Ariadne.Pipeline.Processors;

/// <summary>
/// The named redaction profile <c>default</c>: what nearly every deployment wants kept out of storage
/// whatever else it allows. Header attributes that carry credentials (OpenTelemetry's
/// <c>http.request.header.&lt;name&gt;</c> and <c>http.response.header.&lt;name&gt;</c>) are removed;
/// bearer and basic credentials and card numbers (13 to 19 digits that pass the Luhn check, so order
/// numbers and timestamps are left alone) are masked wherever they appear in a string value.
/// </summary>
internal static class RedactionProfile
{
    public const string Default = "default";

    public static readonly string[] DroppedKeys =
    [
        "http.request.header.authorization",
        "http.request.header.proxy-authorization",
        "http.request.header.cookie",
        "http.request.header.x-api-key",
        "http.request.header.x-auth-token",
        "http.request.header.x-csrf-token",
        "http.response.header.set-cookie",
        "http.response.header.www-authenticate",
    ];

    public static readonly Regex Credentials = new(
        @"\b(?:[Bb]earer|[Bb]asic)\s+[A-Za-z0-9\-._~+/]+=*", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

    public static readonly Regex CardNumberCandidate = new(
        @"(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

    /// <summary>Whether the digits (spaces and dashes ignored) pass the Luhn check of payment card numbers.</summary>
    public static bool PassesLuhn(ReadOnlySpan<char> candidate)
    {
        var sum = 0;
        var digits = 0;
        for (var i = candidate.Length - 1; i >= 0; i--)
        {
            var c = candidate[i];
            if (c is ' ' or '-')
            {
                continue;
            }

            var digit = c - '0';
            if ((digits++ & 1) == 1)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
        }

        return digits is >= 13 and <= 19 && sum % 10 == 0;
    }
}
