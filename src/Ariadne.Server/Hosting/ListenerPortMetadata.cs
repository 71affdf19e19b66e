namespace Ariadne.Server.Hosting;

/// <summary>Marks an endpoint as served only on the listener with this local port.</summary>
internal sealed record ListenerPortMetadata(int Port);
