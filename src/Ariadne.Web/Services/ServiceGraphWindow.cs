namespace Ariadne.Web.Services;

/// <summary>The service graph over a window: its edges and how long the window really was.</summary>
internal sealed record ServiceGraphWindow(IReadOnlyList<ServiceGraphWindowEdge> Edges, TimeSpan Covered);
