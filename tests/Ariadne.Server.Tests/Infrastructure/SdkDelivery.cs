using OpenTelemetry.Trace;

namespace Ariadne.Server.Tests.Infrastructure;

/// <summary>Waits until an SDK provider's batch exporter has the server's answer for everything it holds.</summary>
/// <remarks>
/// <c>ForceFlush</c> returns once the exporter has taken the spans off its queue, which can be before
/// the request is sent or answered: a query right after it races the export. Shutting the provider down
/// joins the export thread, so the server has acknowledged (or refused) the spans when this returns.
/// </remarks>
internal static class SdkDelivery
{
    public static void Complete(TracerProvider provider, string what = "the export", int timeoutMilliseconds = 10_000) =>
        Xunit.Assert.True(provider.Shutdown(timeoutMilliseconds), what + " did not finish");
}
