namespace Ariadne.Model;

/// <summary>Lower-case hexadecimal for ids; parsing accepts either case, as W3C and OTLP JSON require.</summary>
internal static class Hex
{
    private const string Digits = "0123456789abcdef";

    public static void WriteUInt64(ulong value, Span<char> destination)
    {
        for (var i = 15; i >= 0; i--)
        {
            destination[i] = Digits[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    public static void WriteUInt64(ulong value, Span<byte> destination)
    {
        for (var i = 15; i >= 0; i--)
        {
            destination[i] = (byte)Digits[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    public static bool TryParseUInt64(ReadOnlySpan<char> hex, out ulong value)
    {
        value = 0;
        if (hex.Length is 0 or > 16)
        {
            return false;
        }

        foreach (var c in hex)
        {
            var digit = Digit(c);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        return true;
    }

    public static bool TryParseUInt64(ReadOnlySpan<byte> hex, out ulong value)
    {
        value = 0;
        if (hex.Length is 0 or > 16)
        {
            return false;
        }

        foreach (var c in hex)
        {
            var digit = Digit((char)c);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        return true;
    }

    public static bool TryDecode(ReadOnlySpan<char> hex, Span<byte> destination)
    {
        if (hex.Length != destination.Length * 2)
        {
            return false;
        }

        for (var i = 0; i < destination.Length; i++)
        {
            var hi = Digit(hex[2 * i]);
            var lo = Digit(hex[(2 * i) + 1]);
            if ((hi | lo) < 0)
            {
                return false;
            }

            destination[i] = (byte)((hi << 4) | lo);
        }

        return true;
    }

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        return Convert.ToHexStringLower(bytes);
    }

    private static int Digit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
