namespace Ariadne.Server.Security;

/// <summary>What a listening port serves, which decides the keys it asks for and the shape of its errors.</summary>
internal enum ListenerRole
{
    OtlpGrpc,
    OtlpHttp,
    Zipkin,
    Query,
    Tempo,
}
