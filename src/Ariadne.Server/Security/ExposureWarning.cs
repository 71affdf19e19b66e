using Ariadne.Server.Configuration;
using Microsoft.Extensions.Logging;

namespace Ariadne.Server.Security;

/// <summary>
/// Auth is off by default so that a loopback-bound development server needs no setup. Listening on
/// any other address without keys is allowed but said loudly, once per exposed listener, at start-up.
/// </summary>
internal static partial class ExposureWarning
{
    /// <summary>The listeners reachable from other machines whose side (ingest or query) has no keys.</summary>
    public static List<(string Name, string Endpoint)> Unprotected(AriadneOptions options, bool otlpEnabled, bool zipkinEnabled)
    {
        var exposed = new List<(string, string)>();
        var ingestOpen = options.Auth.Ingest.Keys.Count == 0;
        var queryOpen = options.Auth.Query.Keys.Count == 0;
        void Check(string name, string endpoint, bool open)
        {
            if (open && ListenEndpoint.TryParse(endpoint, out var parsed) && !parsed.IsLoopback)
            {
                exposed.Add((name, endpoint));
            }
        }

        if (otlpEnabled)
        {
            Check("receivers.otlp.protocols.grpc", options.Receivers.Otlp.Protocols.Grpc.Endpoint, ingestOpen);
            Check("receivers.otlp.protocols.http", options.Receivers.Otlp.Protocols.Http.Endpoint, ingestOpen);
        }

        if (zipkinEnabled)
        {
            Check("receivers.zipkin", options.Receivers.Zipkin.Endpoint, ingestOpen);
        }

        Check("query", options.Query.Endpoint, queryOpen);
        Check("query.tempo", options.Query.TempoEndpoint, queryOpen);
        return exposed;
    }

    public static void Log(ILogger logger, AriadneOptions options, bool otlpEnabled, bool zipkinEnabled)
    {
        foreach (var (name, endpoint) in Unprotected(options, otlpEnabled, zipkinEnabled))
        {
            LogExposed(logger, name, endpoint, name.StartsWith("receivers", StringComparison.Ordinal) ? "auth.ingest.keys" : "auth.query.keys");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "!!! SECURITY: {Listener} listens on {Endpoint}, reachable from other machines, and {Keys} is empty: anyone who can reach it can use it without a key. Configure {Keys} or bind it to localhost.")]
    private static partial void LogExposed(ILogger logger, string listener, string endpoint, string keys);
}
