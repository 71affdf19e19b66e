using System.Net;

namespace Ariadne.Server.Configuration;

/// <summary>A <c>host:port</c> listen address as Collector configs write it (<c>localhost:4317</c>, <c>0.0.0.0:4317</c>, <c>:4317</c>).</summary>
internal readonly record struct ListenEndpoint(string Host, int Port)
{
    public bool IsLoopback => Host is "localhost" || (IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));

    public bool IsAnyAddress => Host is "" or "0.0.0.0" or "::" or "[::]" or "*";

    public static bool TryParse(string? text, out ListenEndpoint endpoint)
    {
        endpoint = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var colon = text.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        var host = text[..colon].Trim();
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (host.Length > 0 && host != "localhost" && host != "*" && !IPAddress.TryParse(host, out _))
        {
            return false;
        }

        endpoint = new ListenEndpoint(host, port);
        return true;
    }

    public override string ToString() => $"{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}";
}
